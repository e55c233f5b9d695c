/**
 * Regressions of the sixth attack pass, against a running Strapi (every database: `npm test` on
 * SQLite, `test:databases` on PostgreSQL and MariaDB, where the bug was).
 *
 * - R6-F1: on MySQL/MariaDB the e-mail look-up compared under the column's collation, and the
 *   default ones ignore accents and fold ß to ss: the identity "jose.p@corp.example" signed in as
 *   the existing account "josé.p@corp.example" (another mailbox), was linked to it, and e-mail sync
 *   rewrote its address; "ana@bucher.example" became the Super Admin "ana@bücher.example".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { request } from '../harness/http';
import { passwordLogin } from '../harness/assertions';

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
