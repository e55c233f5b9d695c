/**
 * Regression tests for the tenth attack pass:
 * - A10-1 (medium-high): an admin API token runs as its owner on Strapi's profile route, which asks
 *   for no permission: a token its Super Admin owner had scoped to nothing set the owner's address
 *   to its holder's, whose first sign-on was then linked to the Super Admin account. The profile
 *   guard's Super Admin exemption now holds only for a person signed in, not for a token.
 * - A10-2 (informational): a pending password reset outlived an administrator's hand-over of the
 *   account to another address and the new holder's first sign-on; a sign-on now withdraws it.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { request } from '../harness/http';
import { passwordLogin } from '../harness/assertions';

const CONFIG = { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0 };
const PASSWORD = 'L0cal!Password';
let app: TestStrapi;
let serial = 0;
const fresh = (prefix: string) => `${prefix}${process.pid}x${++serial}`;
const bearer = (token: string) => ({ Accept: 'application/json', Authorization: `Bearer ${token}` });

before(async () => {
  app = await startStrapi({ config: CONFIG });
});
after(() => app?.stop());
beforeEach(() => app.configure(CONFIG));

const userRow = async (id: number) =>
  (await app.strapi.db.query('admin::user').findOne({ where: { id } })) as { email: string; resetPasswordToken: string | null };
const linkOf = async (subject: string): Promise<number | null> => {
  const row = (await app.strapi.db.connection('remote_auth_identities').where({ subject }).first('user_id')) as { user_id: number } | undefined;
  return row ? Number(row.user_id) : null;
};
async function superAdmin(): Promise<{ id: number; email: string; session: string }> {
  const email = `${fresh('root')}@corp.example`;
  const { id } = await app.createAdmin({ email, password: PASSWORD, roles: ['strapi-super-admin'] });
  return { id, email, session: (await passwordLogin(app, email, PASSWORD)).json().data?.token as string };
}

test("A10-1: an admin token of a Super Admin, scoped to nothing, cannot change its owner's address; the holder's sign-on gets an account of their own", async () => {
  const boss = await superAdmin();
  const created = await request(app.origin, '/admin/admin-tokens', { method: 'POST', headers: bearer(boss.session), body: { name: fresh('ci'), lifespan: null, adminPermissions: [] } });
  assert.equal(created.status, 201, created.body);
  const token = created.json().data.accessKey as string;
  const mallory = `${fresh('mallory')}@corp.example`;
  const res = await request(app.origin, '/admin/users/me', { method: 'PUT', headers: bearer(token), body: { email: mallory } });
  assert.equal(res.status, 403, res.body);
  assert.equal((await userRow(boss.id)).email, boss.email);
  const sso = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': mallory } });
  assert.ok(sso.cookies.jwtToken, sso.body);
  const linked = await linkOf(mallory);
  assert.ok(linked !== null && linked !== boss.id, `Mallory's sign-on was linked to user ${linked}; the Super Admin is ${boss.id}`);
  // The same Super Admin in person still changes their own address.
  const moved = `${fresh('boss-moved')}@corp.example`;
  assert.equal((await request(app.origin, '/admin/users/me', { method: 'PUT', headers: bearer(boss.session), body: { email: moved } })).status, 200);
  assert.equal((await userRow(boss.id)).email, moved);
});

test('A10-2: a password reset pending when an account is handed to another address is withdrawn by the new holder\'s first sign-on', async () => {
  const admin = await superAdmin();
  const old = `${fresh('old-owner')}@corp.example`;
  const { id } = await app.createAdmin({ email: old, password: PASSWORD, roles: ['strapi-author'] });
  // What forgot-password stores for the old address (its e-mail, with the link, went to the old mailbox).
  const resetPasswordToken = `reset${id}x${Date.now()}`;
  await app.strapi.db.query('admin::user').update({ where: { id }, data: { resetPasswordToken, resetPasswordTokenExpiresAt: new Date(Date.now() + 3_600_000) } });
  const cto = `${fresh('cto')}@corp.example`;
  assert.equal((await request(app.origin, `/admin/users/${id}`, { method: 'PUT', headers: bearer(admin.session), body: { email: cto } })).status, 200);
  const sso = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': cto } });
  assert.ok(sso.cookies.jwtToken, sso.body);
  assert.equal(await linkOf(cto), id);
  assert.equal((await userRow(id)).resetPasswordToken, null);
  const reset = await request(app.origin, '/admin/reset-password', { method: 'POST', headers: { Accept: 'application/json' }, body: { resetPasswordToken, password: 'Old0wner!Kept' } });
  assert.notEqual(reset.status, 200, reset.body);
  assert.equal((await passwordLogin(app, cto, 'Old0wner!Kept')).status, 400);
});
