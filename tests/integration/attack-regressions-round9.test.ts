/**
 * Regression tests for the ninth attack pass (Strapi's invitations and the profile-page guard):
 * - A9-1 (medium): an invitation is a link that sets the invited account's password. Whoever used
 *   an unused link before the invitee's first sign-on kept a password to the account that sign-on
 *   then linked and mapped (to Super Admin with allowSuperAdminMapping).
 * - A9-2 (medium with a Super Admin mapping): an invitation an administrator had activated by hand
 *   kept its link after the invitee's sign-on linked the account; the link then set a password on
 *   it (with allowPasswordLogin off too, once the account was a Super Admin).
 * - A9-3 (low): an address set on the profile page while the plugin was disabled (or linkByEmail
 *   off) was linked once it was on again.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { request, type TestResponse } from '../harness/http';
import { passwordLogin } from '../harness/assertions';

const CONFIG = { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0, groupsHeader: 'Remote-Groups', groupRoles: { 'cms-editors': ['strapi-editor'] } };
const OWNERS = { ...CONFIG, allowSuperAdminMapping: true, groupRoles: { 'cms-owners': ['strapi-super-admin'] } };
const PASSWORD = 'L0cal!Password';
const MALLORY = 'Mall0ry!Password';
let app: TestStrapi;
let root = '';
let serial = 0;
const fresh = (prefix: string) => `${prefix}${process.pid}x${++serial}`;

before(async () => {
  app = await startStrapi({ config: CONFIG });
  const email = `${fresh('root')}@corp.example`;
  await app.createAdmin({ email, password: PASSWORD, roles: ['strapi-super-admin'] });
  root = (await passwordLogin(app, email, PASSWORD)).json().data?.token as string;
});
after(() => app?.stop());
beforeEach(() => app.configure(CONFIG));

const bearer = (token: string) => ({ Authorization: `Bearer ${token}`, Accept: 'application/json' });
const userRow = async (id: number) =>
  (await app.strapi.db.query('admin::user').findOne({ where: { id }, populate: ['roles'] })) as {
    email: string;
    firstname: string;
    password: string | null;
    registrationToken: string | null;
    roles: Array<{ code: string }>;
  };
const linkOf = async (subject: string): Promise<number | null> => {
  const row = (await app.strapi.db.connection('remote_auth_identities').where({ subject }).first('user_id')) as { user_id: number } | undefined;
  return row ? Number(row.user_id) : null;
};
const roleId = async (code: string) => ((await app.strapi.db.query('admin::role').findOne({ where: { code } })) as { id: number }).id;
const ssoSignIn = (identity: string, groups: string) =>
  request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': identity, 'Remote-Groups': groups } });

/** Settings → Users → Invite: an account with `role` and a pending invitation link. */
async function invite(email: string, role: string): Promise<{ id: number; registrationToken: string }> {
  const res = await request(app.origin, '/admin/users', { method: 'POST', headers: bearer(root), body: { email, firstname: 'Invited', roles: [await roleId(role)] } });
  assert.equal(res.status, 201, res.body);
  return res.json().data as { id: number; registrationToken: string };
}
const register = (registrationToken: string): Promise<TestResponse> =>
  request(app.origin, '/admin/register', { method: 'POST', headers: { Accept: 'application/json' }, body: { registrationToken, userInfo: { firstname: 'Mallory', password: MALLORY } } });

describe('A9-1: with linkByEmail an invitation is accepted through single sign-on, not with its link', () => {
  test('the link of an Author invitation is refused; the invitee signs on, and nobody holds a password to the account', async () => {
    app.configure({ ...OWNERS, allowInactive: true });
    const cto = `${fresh('cto')}@corp.example`;
    const { id, registrationToken } = await invite(cto, 'strapi-author');
    const res = await register(registrationToken);
    assert.equal(res.status, 403, res.body);
    assert.match(res.body, /accept your invitation by signing in/);
    const row = await userRow(id);
    assert.deepEqual([row.password, row.registrationToken, row.firstname], [null, registrationToken, 'Invited']);
    const sso = await ssoSignIn(cto, 'cms-owners');
    assert.ok(sso.cookies.jwtToken, sso.body);
    assert.equal(await linkOf(cto), id);
    assert.equal((await userRow(id)).registrationToken, null);
    assert.equal((await passwordLogin(app, cto, MALLORY)).status, 400);
  });

  test('what stays: a Super Admin invitation registers with its link; so does any invitation while linkByEmail is off or the plugin disabled', async () => {
    const boss = await invite(`${fresh('boss')}@corp.example`, 'strapi-super-admin');
    assert.equal((await register(boss.registrationToken)).status, 200);
    for (const settings of [{ linkByEmail: false }, { enabled: false }]) {
      app.configure({ ...CONFIG, ...settings });
      const author = await invite(`${fresh('author')}@corp.example`, 'strapi-author');
      const res = await register(author.registrationToken);
      assert.equal(res.status, 200, `${JSON.stringify(settings)}: ${res.body}`);
      assert.equal((await userRow(author.id)).registrationToken, null);
    }
  });
});

describe('A9-2: a sign-on withdraws a pending invitation', () => {
  test('an invitation an administrator activated by hand: once the invitee signs on, its link no longer registers (also as a mapped Super Admin with allowPasswordLogin off)', async () => {
    app.configure({ ...OWNERS, allowPasswordLogin: false });
    const cto = `${fresh('cto')}@corp.example`;
    const { id, registrationToken } = await invite(cto, 'strapi-author');
    assert.equal((await request(app.origin, `/admin/users/${id}`, { method: 'PUT', headers: bearer(root), body: { isActive: true } })).status, 200);
    const sso = await ssoSignIn(cto, 'cms-owners');
    assert.ok(sso.cookies.jwtToken, sso.body);
    assert.equal(await linkOf(cto), id);
    assert.ok((await userRow(id)).roles.some((role) => role.code === 'strapi-super-admin'));
    assert.equal((await userRow(id)).registrationToken, null);
    app.configure({ ...OWNERS, allowPasswordLogin: false, linkByEmail: false }); // the register guard off: only the withdrawn token stands in the way
    assert.notEqual((await register(registrationToken)).status, 200);
    assert.equal((await userRow(id)).password, null);
    assert.equal((await passwordLogin(app, cto, MALLORY)).status, 400);
  });
});

describe('A9-3: the profile-page guard holds whatever the settings', () => {
  for (const settings of [{ enabled: false }, { linkByEmail: false }]) {
    test(`${JSON.stringify(settings)}: an Author's own address change is refused, so nothing is waiting to be linked when they are back on`, async () => {
      const email = `${fresh('author')}@corp.example`;
      const { id } = await app.createAdmin({ email, password: PASSWORD, roles: ['strapi-author'] });
      const token = (await passwordLogin(app, email, PASSWORD)).json().data?.token as string;
      app.configure({ ...CONFIG, ...settings });
      const colleague = `${fresh('kate')}@corp.example`;
      const res = await request(app.origin, '/admin/users/me', { method: 'PUT', headers: bearer(token), body: { email: colleague } });
      assert.equal(res.status, 403, res.body);
      app.configure(CONFIG);
      const sso = await ssoSignIn(colleague, 'cms-editors');
      assert.ok(sso.cookies.jwtToken, sso.body);
      assert.notEqual(await linkOf(colleague), id);
      assert.equal((await userRow(id)).email, email);
    });
  }
});
