/**
 * T20: every guard sees a request the way Strapi's router and passport-local
 * do — any letter case, an optional trailing slash, credentials in the body or
 * the query string — on every route that leads to an admin session.
 * Each variant below reached Strapi's controller past the guard before.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, cookieHeader, request, type TestResponse } from '../harness/http';
import { assertRefused, passwordLogin, snapshot } from '../harness/assertions';

const PASSWORD = 'Sup3rSecret!pass';
const NEW_PASSWORD = 'N3wSecret!pass';
let app: TestStrapi;
let serial = 0;

before(async () => {
  app = await startStrapi();
});
after(() => app?.stop());
beforeEach(() => app.configure({ allowPasswordLogin: false }));

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  request(app.origin, path, { method: 'POST', body, headers: { Accept: 'application/json', ...headers } });

/** A fresh editor with a password whose account the proxy has signed in once (so it is linked). */
async function linkedEditor(): Promise<{ id: number; email: string; handOff: TestResponse }> {
  const email = `linked.${++serial}@corp.example`;
  const user = await app.createAdmin({ email, password: PASSWORD, roles: ['strapi-editor'] });
  const handOff = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': email } });
  assert.ok(handOff.cookies.jwtToken, `the proxy did not sign ${email} in: ${handOff.status}`);
  return { ...user, handOff };
}

const row = async (id: number) =>
  (await app.strapi.db.query('admin::user').findOne({ where: { id }, select: ['password', 'resetPasswordToken', 'registrationToken'] })) as {
    password: string | null;
    resetPasswordToken: string | null;
    registrationToken: string | null;
  };

const loginVariants = (email: string): Array<[string, unknown]> => {
  const query = `email=${encodeURIComponent(email)}&password=${encodeURIComponent(PASSWORD)}`;
  return [
    ['/admin/login/', { email, password: PASSWORD }],
    ['/admin/LOGIN', { email, password: PASSWORD }],
    ['/ADMIN/Login/', { email, password: PASSWORD }],
    [`/admin/login?${query}`, {}],
    [`/admin/login?${query}`, { email: '' }],
    [`/admin/Login/?${query}`, {}],
  ];
};

describe('password login: every spelling Strapi routes, credentials wherever passport reads them', () => {
  test('each variant reaches Strapi’s login controller (it signs in while passwords are allowed)', async () => {
    const { email } = await linkedEditor();
    app.configure({ allowPasswordLogin: true });
    for (const [path, body] of loginVariants(email)) {
      const res = await post(path, body);
      assert.equal(res.status, 200, `${path} ${JSON.stringify(body)}: ${res.body.slice(0, 200)}`);
      assert.equal(res.json().data.user.email, email);
    }
  });

  for (const [index, [label, labelBody]] of loginVariants('someone@corp.example').entries()) {
    test(`with allowPasswordLogin off, POST ${label.replace('someone%40corp.example', '…')} ${JSON.stringify(labelBody).replace('someone@corp.example', '…')} is refused for a linked account`, async () => {
      const { email } = await linkedEditor();
      const [path, body] = loginVariants(email)[index];
      const before = await snapshot(app);
      const res = await post(path, body);
      await assertRefused(app, before, res, 403, 'password-login-disabled');
    });
  }

  test('an address Strapi lower-cases onto a linked account (Kelvin sign for "k") is refused too, in the body and the query', async () => {
    // Strapi's login lower-cases with JavaScript's rules (U+212A → "k") and then matches exactly;
    // SQLite's LOWER() folds ASCII only, so a database-side case-insensitive lookup missed it.
    const email = `kate.${++serial}@corp.example`;
    await app.createAdmin({ email, password: PASSWORD, roles: ['strapi-editor'] });
    const handOff = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': email } });
    assert.ok(handOff.cookies.jwtToken, 'the proxy signs kate in, so her account is linked');
    const kelvin = `\u212A${email.slice(1)}`;
    app.configure({ allowPasswordLogin: true });
    assert.equal((await post('/admin/login', { email: kelvin, password: PASSWORD })).status, 200, 'Strapi itself signs the Kelvin spelling in');
    app.configure({ allowPasswordLogin: false });
    for (const [path, body] of [
      ['/admin/login', { email: kelvin, password: PASSWORD }],
      [`/admin/login?email=${encodeURIComponent(kelvin)}&password=${encodeURIComponent(PASSWORD)}`, {}],
    ] as Array<[string, unknown]>) {
      const before = await snapshot(app);
      await assertRefused(app, before, await post(path, body), 403, 'password-login-disabled');
    }
  });

  test('spellings Strapi does not route never reach the controller', async () => {
    const { email } = await linkedEditor();
    app.configure({ allowPasswordLogin: true });
    for (const path of ['/admin//login', '/admin/%6cogin', '/admin/login//', '/admin/login%2F']) {
      const before = await snapshot(app);
      const res = await post(path, { email, password: PASSWORD });
      assert.notEqual(res.status, 200, path);
      assert.equal(res.cookies.strapi_admin_refresh, undefined, path);
      assert.deepEqual(await snapshot(app), before, path);
    }
  });
});

describe('the other routes that lead to a session', () => {
  test('reset-password (any spelling) does not set a password or start a session for a linked account', async () => {
    const { id } = await linkedEditor();
    await app.strapi.db.query('admin::user').update({
      where: { id },
      data: { resetPasswordToken: `reset-${id}`, resetPasswordTokenExpiresAt: new Date(Date.now() + 3_600_000) },
    });
    for (const path of ['/admin/reset-password/', '/admin/Reset-Password']) {
      const before = await snapshot(app);
      const res = await post(path, { resetPasswordToken: `reset-${id}`, password: NEW_PASSWORD });
      await assertRefused(app, before, res, 403, 'password-login-disabled');
    }
  });

  test('forgot-password answers as for any address but issues no reset token for a linked account', async () => {
    const { id, email } = await linkedEditor();
    const res = await post('/admin/FORGOT-PASSWORD/', { email });
    assert.equal(res.status, 204, res.body);
    assert.equal((await row(id)).resetPasswordToken, null, 'a reset token was issued');
  });

  test('register (an invitation still open on a linked account) is refused', async () => {
    const { id } = await linkedEditor();
    await app.strapi.db.query('admin::user').update({ where: { id }, data: { registrationToken: `invite-${id}` } });
    const before = await snapshot(app);
    const res = await post('/admin/Register/', { registrationToken: `invite-${id}`, userInfo: { firstname: 'X', lastname: 'Y', password: NEW_PASSWORD } });
    await assertRefused(app, before, res, 403, 'password-login-disabled');
  });

  test('renewing a password session of a linked account is refused; renewing the proxy’s session is not', async () => {
    const { email, handOff } = await linkedEditor();
    app.configure({ allowPasswordLogin: true });
    const login = await passwordLogin(app, email, PASSWORD);
    assert.equal(login.status, 200, login.body);
    app.configure({ allowPasswordLogin: false });
    for (const path of ['/admin/access-token/', '/admin/Access-Token']) {
      const before = await snapshot(app);
      const res = await post(path, {}, { Cookie: cookieHeader(login.cookies) });
      await assertRefused(app, before, res, 403, 'password-login-disabled');
    }
    const renewed = await post('/admin/access-token/', {}, { Cookie: cookieHeader(handOff.cookies) });
    assert.equal(renewed.status, 200, renewed.body);
  });
});

describe('strict mode: the refresh call needs the identity, whatever its spelling', () => {
  for (const path of ['/admin/access-token/', '/admin/ACCESS-TOKEN']) {
    test(`POST ${path} without the header ends the proxy's session`, async () => {
      app.configure({ mode: 'strict' });
      const { id, handOff } = await linkedEditor();
      const active = async () => (await app.strapi.db.query('admin::session').findMany({ where: { userId: String(id), status: 'active' } })).length;
      assert.equal(await active(), 1);
      const res = await post(path, {}, { Cookie: cookieHeader(handOff.cookies) });
      assert.equal(res.status, 401, res.body);
      assert.equal(res.json().error.details.code, 'identity-gone');
      assert.equal(res.cookies.jwtToken, undefined);
      assert.equal(await active(), 0, 'the session survived');
    });
  }
});
