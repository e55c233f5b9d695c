/**
 * Regression tests for the eighth attack pass:
 * - A8-1 (high): Strapi's profile page (PUT /admin/users/me) lets any admin set their own address,
 *   with no password and no confirmation. An Author set theirs to a colleague's who had not signed
 *   in yet; the colleague's first single sign-on was linked to the Author's password account
 *   (linkByEmail) and gave it the colleague's mapped roles — Super Admin with
 *   allowSuperAdminMapping, also with autoCreate and allowPasswordLogin off.
 * - A8-3 (informational): an e-mail sync that copied nothing (the address was another account's) still
 *   committed its lock row on MySQL/MariaDB, one per such address.
 * - A8-7 (informational): one sync could write a new address and grant Super Admin together; an
 *   account that becomes a Super Admin keeps its address, as one that is one already does.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { request, type TestResponse } from '../harness/http';
import { passwordLogin, refusalCode } from '../harness/assertions';

const CONFIG = { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0, groupsHeader: 'Remote-Groups', groupRoles: { 'cms-editors': ['strapi-editor'] } };
let app: TestStrapi;
let serial = 0;
const fresh = (prefix: string) => `${prefix}${process.pid}x${++serial}`;

before(async () => {
  app = await startStrapi({ config: CONFIG });
});
after(() => app?.stop());
beforeEach(() => app.configure(CONFIG));

const userRow = async (id: number) =>
  (await app.strapi.db.query('admin::user').findOne({ where: { id }, populate: ['roles'] })) as { id: number; email: string; firstname: string; roles: Array<{ code: string }> };
const rolesOf = async (id: number) => (await userRow(id)).roles.map((role) => role.code).sort();
const linkOf = async (subject: string): Promise<number | null> => {
  const row = (await app.strapi.db.connection('remote_auth_identities').where({ subject }).first('user_id')) as { user_id: number } | undefined;
  return row ? Number(row.user_id) : null;
};

/** A password account with `roles`, signed in with its password: its id and bearer token. */
async function localAdmin(roles: string[]): Promise<{ id: number; email: string; password: string; token: string }> {
  const email = `${fresh('local')}@corp.example`;
  const password = 'L0cal!Password';
  const { id } = await app.createAdmin({ email, password, roles });
  const token = (await passwordLogin(app, email, password)).json().data?.token as string;
  assert.ok(token, 'the password login failed');
  return { id, email, password, token };
}

const updateMe = (token: string, body: Record<string, unknown>, path = '/admin/users/me'): Promise<TestResponse> =>
  request(app.origin, path, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, body });
const ssoSignIn = (identity: string, groups: string) =>
  request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': identity, 'Remote-Groups': groups } });

describe('A8-1: an admin cannot set their own address on the profile page', () => {
  test("an Author's profile change to a colleague's address is refused, and the colleague's first sign-on gets an account of their own", async () => {
    const author = await localAdmin(['strapi-author']);
    const colleague = `${fresh('chief')}@corp.example`;
    const res = await updateMe(author.token, { email: colleague });
    assert.equal(res.status, 403, res.body);
    assert.match(res.body, /managed by single sign-on/);
    assert.equal((await userRow(author.id)).email, author.email, 'the address was written');
    const sso = await ssoSignIn(colleague, 'cms-editors');
    assert.ok(sso.cookies.jwtToken, sso.body);
    const linked = await linkOf(colleague);
    assert.ok(linked !== null && linked !== author.id, `the colleague was linked to user ${linked}, the Author is ${author.id}`);
    assert.deepEqual(await rolesOf(author.id), ['strapi-author']);
    assert.equal((await passwordLogin(app, colleague, author.password)).status, 400);
  });

  test('with autoCreate and allowPasswordLogin off and a group mapped to Super Admin: refused, nobody becomes Super Admin', async () => {
    app.configure({ ...CONFIG, autoCreate: false, allowPasswordLogin: false, allowSuperAdminMapping: true, groupRoles: { 'cms-owners': ['strapi-super-admin'] } });
    const author = await localAdmin(['strapi-author']);
    const cto = `${fresh('cto')}@corp.example`;
    assert.equal((await updateMe(author.token, { email: cto })).status, 403);
    const sso = await ssoSignIn(cto, 'cms-owners');
    assert.equal(refusalCode(sso), 'unknown-user', sso.body);
    assert.equal(await linkOf(cto), null);
    assert.deepEqual(await rolesOf(author.id), ['strapi-author']);
    const me = await request(app.origin, '/admin/users/me', { headers: { Authorization: `Bearer ${author.token}` } });
    assert.deepEqual(((me.json().data?.roles ?? []) as Array<{ code: string }>).map((role) => role.code), ['strapi-author']);
  });

  test('the same route spelled otherwise (trailing slash, letter case) is the same handler: refused', async () => {
    const author = await localAdmin(['strapi-author']);
    for (const path of ['/admin/users/me/', '/admin/Users/Me', '/admin//users/me']) {
      const res = await updateMe(author.token, { email: `${fresh('spelled')}@corp.example` }, path);
      assert.ok(res.status === 403 || res.status === 404 || res.status === 405, `${path}: ${res.status} ${res.body.slice(0, 200)}`);
    }
    assert.equal((await userRow(author.id)).email, author.email);
  });

  test('what stays allowed: other profile fields, the same address in other letter case, and a Super Admin', async () => {
    const author = await localAdmin(['strapi-author']);
    const renamed = await updateMe(author.token, { firstname: 'Renamed', email: author.email });
    assert.equal(renamed.status, 200, renamed.body);
    assert.equal((await userRow(author.id)).firstname, 'Renamed');
    // The same address in capitals is not a new one (Strapi 5.54 lowercases it; 5.24 refuses capitals itself, 400).
    const capitals = await updateMe(author.token, { email: author.email.toUpperCase() });
    assert.notEqual(capitals.status, 403, capitals.body);
    assert.equal((await userRow(author.id)).email, author.email);
    const root = await localAdmin(['strapi-super-admin']);
    const moved = `${fresh('root-moved')}@corp.example`;
    assert.equal((await updateMe(root.token, { email: moved })).status, 200);
    assert.equal((await userRow(root.id)).email, moved);
  });

  test('an administrator still sets any account\'s address in Settings → Users', async () => {
    const author = await localAdmin(['strapi-author']);
    const root = await localAdmin(['strapi-super-admin']);
    const address = `${fresh('set-by-admin')}@corp.example`;
    const res = await request(app.origin, `/admin/users/${author.id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${root.token}`, Accept: 'application/json' },
      body: { email: address },
    });
    assert.equal(res.status, 200, res.body);
    assert.equal((await userRow(author.id)).email, address);
  });
});

describe('A8-7: an account that becomes a Super Admin by this sign-in keeps its address', () => {
  test('a group mapped to Super Admin and a new address in one sign-in: the role is granted, the address is not written', async () => {
    app.configure({ ...CONFIG, userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email', allowSuperAdminMapping: true, groupRoles: { 'cms-owners': ['strapi-super-admin'] } });
    const who = fresh('rising');
    const first = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': who, 'Remote-Email': `${who}@corp.example` } });
    assert.ok(first.cookies.jwtToken, first.body);
    const id = (await linkOf(who))!;
    const moved = `${who}.moved@corp.example`;
    const res = await request(app.origin, '/remote-auth/login', {
      headers: { Accept: 'application/json', 'Remote-User': who, 'Remote-Email': moved, 'Remote-Groups': 'cms-owners' },
    });
    assert.ok(res.cookies.jwtToken, res.body);
    assert.ok((await rolesOf(id)).includes('strapi-super-admin'));
    assert.equal((await userRow(id)).email, `${who}@corp.example`);
  });
});

describe('A8-3: an e-mail sync that copies nothing writes nothing', () => {
  test("an address that is another account's: not copied, and on MySQL/MariaDB no lock row is left for it", async () => {
    app.configure({ ...CONFIG, userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email' });
    const invited = `${fresh('invited')}@corp.example`;
    const { id: holder } = await app.createAdmin({ email: invited, roles: ['strapi-editor'] });
    const who = fresh('mallory');
    const own = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': who, 'Remote-Email': `${who}@corp.example` } });
    assert.ok(own.cookies.jwtToken, own.body);
    const res = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': who, 'Remote-Email': invited } });
    assert.ok(res.cookies.jwtToken, res.body);
    assert.equal((await userRow((await linkOf(who))!)).email, `${who}@corp.example`);
    assert.equal((await userRow(holder)).email, invited);
    if (app.strapi.db.dialect.client === 'mysql') {
      const key = createHash('sha256').update(invited).digest();
      const rows = (await app.strapi.db.connection('remote_auth_address_locks').where({ address: key }).count({ n: '*' })) as Array<{ n: number | string }>;
      assert.equal(Number(rows[0].n), 0, 'a lock row was committed for an address the plugin did not write');
    }
  });
});
