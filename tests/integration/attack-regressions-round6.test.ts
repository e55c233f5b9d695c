/**
 * Regressions of the sixth attack pass, against a running Strapi (every database: `npm test` on
 * SQLite, `test:databases` on PostgreSQL and MariaDB, where the bug was).
 *
 * - R6-F1: on MySQL/MariaDB the e-mail look-up compared under the column's collation, and the
 *   default ones ignore accents and fold ß to ss: the identity "jose.p@corp.example" signed in as
 *   the existing account "josé.p@corp.example" (another mailbox), was linked to it, and e-mail sync
 *   rewrote its address; "ana@bucher.example" became the Super Admin "ana@bücher.example".
 * - R7-F1 (seventh pass, after that fix): the plugin then took "jose.p@" as free while Strapi's own
 *   password login and forgot-password still look addresses up under the collation. A person whose
 *   e-mail attribute is editable synced "jose.p@" onto their (older) account, and the password
 *   login of "josé.p@" found that account first: 400 for the right password. An address Strapi
 *   takes for another account's is now never written, by sync nor by a new account.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { request } from '../harness/http';
import { passwordLogin, refusalCode } from '../harness/assertions';

const OWNER = { email: 'owner@corp.example', password: 'Own3r!Password' };
let app: TestStrapi;
let owner = '';

before(async () => {
  app = await startStrapi({ config: { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0, allowInactive: true } });
  await app.createAdmin(OWNER);
  owner = (await passwordLogin(app, OWNER.email, OWNER.password)).json().data.token as string;
});
after(() => app?.stop());

const roleId = async (code: string): Promise<number> => ((await app.strapi.db.query('admin::role').findOne({ where: { code } })) as { id: number }).id;
const linksTo = (userId: number) => app.strapi.db.connection('remote_auth_identities').where({ user_id: userId }).select('subject');
const emailOf = async (userId: number) => ((await app.strapi.db.query('admin::user').findOne({ where: { id: userId } })) as { email: string }).email;

describe('R6-F1: an address that differs by an accent or ß is another mailbox, never the same account', () => {
  for (const [victim, other, role] of [
    ['josé.p@corp.example', 'jose.p@corp.example', 'strapi-editor'],
    ['ana@bücher.example', 'ana@bucher.example', 'strapi-super-admin'],
    ['straße@corp.example', 'strasse@corp.example', 'strapi-editor'],
  ] as const) {
    test(`"${other}" does not sign in as the account of ${victim} (${role}), nor link to it, nor change its address`, async () => {
      const created = await request(app.origin, '/admin/users', {
        method: 'POST',
        body: { email: victim, firstname: 'Victim', roles: [await roleId(role)] },
        headers: { Accept: 'application/json', Authorization: `Bearer ${owner}` },
      });
      assert.equal(created.status, 201, created.body);
      const victimId = Number(created.json().data.id);

      const res = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': other } });
      const session = res.cookies.jwtToken
        ? (await request(app.origin, '/admin/users/me', { headers: { Authorization: `Bearer ${res.cookies.jwtToken}` } })).json().data
        : null;
      assert.notEqual(session?.id, victimId, `"${other}" got a session as user ${victimId} (${victim})`);
      assert.deepEqual(await linksTo(victimId), [], `an identity was linked to ${victim}`);
      assert.equal(await emailOf(victimId), victim, 'the address of the existing account is unchanged');
    });
  }
});

describe("R7-F1: an address Strapi's password login takes for another account's is never written", () => {
  const EDITABLE = { trustedProxies: ['127.0.0.1/32'], userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email', autoCreate: true, maxNewUsersPerMinute: 0 };
  const foldsAccents = () => app.strapi.db.dialect.client === 'mysql';
  const sso = (user: string, email: string) =>
    request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': user, 'Remote-Email': email } });
  const PASSWORD = 'Vict1m!Password';

  for (const [victim, twin, role] of [
    ['josé.r@corp.example', 'jose.r@corp.example', 'strapi-editor'],
    ['anna@bücher.example', 'anna@bucher.example', 'strapi-super-admin'],
  ] as const) {
    test(`e-mail sync to ${twin} leaves the password login of ${victim} (${role}, a newer account) working`, async () => {
      app.configure(EDITABLE);
      const mallory = `mallory-${role}`;
      const first = await sso(mallory, `${mallory}@corp.example`);
      assert.ok(first.cookies.jwtToken, first.body);
      const own = ((await app.strapi.db.connection('admin_users').where({ email: `${mallory}@corp.example` }).first('id')) as { id: number }).id;
      const created = await app.createAdmin({ email: victim, password: PASSWORD, roles: [role] });
      assert.ok(created.id > own);
      assert.equal((await passwordLogin(app, victim, PASSWORD)).status, 200);

      await sso(mallory, twin);
      assert.equal(await emailOf(own), foldsAccents() ? `${mallory}@corp.example` : twin, foldsAccents() ? 'the twin address was written' : 'an address of its own is synced');
      const login = await passwordLogin(app, victim, PASSWORD);
      assert.equal(login.status, 200, `password login of ${victim}: ${login.body}`);
    });
  }

  test('a first sign-in asserting the twin of an existing account\'s address: refused where the collation folds (account-not-linked, no account), a new account elsewhere', async () => {
    app.configure(EDITABLE);
    const victim = 'müller@corp.example';
    const created = await app.createAdmin({ email: victim, password: PASSWORD, roles: ['strapi-editor'] });
    const res = await sso('eve', 'muller@corp.example');
    const accounts = (await app.strapi.db.connection('admin_users').whereRaw('lower(email) = ?', ['muller@corp.example']).select('id')) as unknown[];
    if (foldsAccents()) {
      assert.equal(res.status, 403, res.body);
      assert.equal(refusalCode(res), 'account-not-linked');
      assert.equal((await app.strapi.db.connection('admin_users').where({ username: 'eve' }).select('id')).length, 0, 'no account for eve');
    } else {
      assert.ok(res.cookies.jwtToken, res.body);
      assert.equal(accounts.length, 1);
    }
    assert.deepEqual(await linksTo(created.id), []);
    assert.equal((await passwordLogin(app, victim, PASSWORD)).status, 200);
  });
});
