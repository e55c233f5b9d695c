/**
 * Regressions of the fifteenth attack pass.
 *
 * A15-1: a first sign-in matched to an existing account by its e-mail wrote the identity link
 * before the rest of the sign-in ran; when that rest refused it (no role for the groups with
 * syncRoles, the operator's onLogin hook) the link stayed, and signed the identity in later even
 * after linkByEmail was turned off. Now a link a sign-in wrote is taken back when the sign-in does
 * not complete, as an account it created is.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { request, type TestResponse } from '../harness/http';
import { assertSignedInAs, refusalCode } from '../harness/assertions';

let app: TestStrapi;
let counter = 0;
const fresh = (prefix: string) => `${prefix}${process.pid}x${++counter}`;

before(async () => {
  app = await startStrapi();
});
after(() => app?.stop());
beforeEach(() => app.configure({}));

const login = (user: string, headers: Record<string, string> = {}): Promise<TestResponse> =>
  request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': user, ...headers } });
const linksOf = async (subject: string) => (await app.strapi.db.connection('remote_auth_identities').where({ subject }).select('user_id')) as Array<{ user_id: number }>;

test('refused for want of a role (syncRoles, no default role, no mapped group): no link is left, and linkByEmail off then refuses', async () => {
  const email = `${fresh('norole')}@corp.example`;
  const { id } = await app.createAdmin({ email, roles: ['strapi-editor'] });
  const groups = { groupsHeader: 'Remote-Groups', syncRoles: true, defaultRoles: [], groupRoles: { editors: ['strapi-editor'] } };
  app.configure(groups);
  const refused = await login(email, { 'Remote-Groups': 'nobody' });
  assert.equal(refusalCode(refused), 'no-role', refused.body);
  assert.deepEqual(await linksOf(email), [], 'a refused sign-in left its link');
  app.configure({ ...groups, linkByEmail: false });
  const later = await login(email, { 'Remote-Groups': 'editors' });
  assert.equal(refusalCode(later), 'account-not-linked', later.body);
  assert.deepEqual(await linksOf(email), []);
  // With linkByEmail on, the same person is linked once the sign-in completes.
  app.configure(groups);
  await assertSignedInAs(app, await login(email, { 'Remote-Groups': 'editors' }), email);
  assert.deepEqual(await linksOf(email), [{ user_id: id }]);
});

test('refused by the onLogin hook: the link the sign-in wrote to the existing account is taken back', async () => {
  const email = `${fresh('vetoed')}@corp.example`;
  await app.createAdmin({ email, roles: ['strapi-editor'] });
  app.configure({
    onLogin: () => {
      throw new Error('not today');
    },
  });
  const res = await login(email);
  assert.equal(res.status, 503, res.body);
  assert.equal(res.cookies.jwtToken, undefined);
  assert.deepEqual(await linksOf(email), []);
});
