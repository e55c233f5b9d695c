/**
 * Two identities asserting one new e-mail address at the same moment, on two Strapi processes on
 * one PostgreSQL or MariaDB database. Strapi's admin user table has no unique index on the
 * e-mail, so both transactions could create an account with it (sixth attack pass, F2: two
 * accounts in 6 rounds of 6 on both databases). Now at most one account has the address, linked
 * to one of the two identities, which signs in; the other is refused (account-linked-elsewhere),
 * never signed in.
 *
 *   TEST_DB=postgres node --import tsx --test tests/scale/email-race.test.ts
 *   TEST_DB=mysql    node --import tsx --test tests/scale/email-race.test.ts
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKind } from '../harness/database';
import { request, type TestResponse } from '../harness/http';
import { startStrapi, type StrapiProcess, type TestStrapi } from '../harness/strapi';

const skip =
  databaseKind() === 'sqlite'
    ? 'needs a database server: SQLite is one file and cannot be shared by several Strapi processes; run with TEST_DB=postgres or TEST_DB=mysql'
    : false;

// The identity is the user name, the address comes from the e-mail header: two identities can assert one address.
const CONFIG = { trustedProxies: ['127.0.0.1/32'], userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email', autoCreate: true, maxNewUsersPerMinute: 0 };
const ROUNDS = 6;
let app: TestStrapi;
let other: StrapiProcess;
let serial = 0;
const fresh = (prefix: string) => `${prefix}${process.pid}x${++serial}`;

before(async () => {
  if (skip) return;
  app = await startStrapi({ config: CONFIG });
  other = await startStrapi({ mode: 'child', database: app.database, config: CONFIG });
});
after(async () => {
  await other?.stop();
  await app?.stop();
});

const signIn = (origin: string, identity: string, email: string): Promise<TestResponse> =>
  request(origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': identity, 'Remote-Email': email } });
const codeOf = (res: TestResponse): string => (res.cookies.jwtToken ? 'session' : ((res.json() as { error?: { details?: { code?: string } } })?.error?.details?.code ?? `HTTP ${res.status}`));

test('one new address asserted by two identities at once on two instances: one account, linked to one of them; the other is refused', { skip }, async () => {
  let signedIn = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const email = `${fresh('shared')}@corp.example`;
    const [first, second] = [fresh('ann'), fresh('bob')];
    const answers = await Promise.all([signIn(app.origin, first, email), other.watch(signIn(other.origin, second, email))]);
    const seen = `round ${round}: answers ${answers.map(codeOf).join(' ')}`;
    const accounts = (await app.strapi.db.connection('admin_users').whereRaw('lower(email) = ?', [email]).select('id')) as Array<{ id: number }>;
    const links = (await app.strapi.db.connection('remote_auth_identities').whereIn('subject', [first, second]).select('subject', 'user_id')) as Array<{ subject: string; user_id: number }>;
    assert.ok(accounts.length <= 1, `${seen}: ${accounts.length} accounts with ${email}`);
    assert.equal(links.length, accounts.length, `${seen}: links ${JSON.stringify(links)}`);
    if (links.length === 1) assert.equal(Number(links[0].user_id), Number(accounts[0].id));
    // The identity linked to the account signs in; the other is refused. When both stepped back
    // five times in a row (a loaded machine), both are told to try again (503) and nothing is kept.
    for (const [i, res] of answers.entries()) {
      const identity = i === 0 ? first : second;
      const expected = links[0]?.subject === identity ? ['session'] : ['account-linked-elsewhere', 'service-unavailable'];
      assert.ok(expected.includes(codeOf(res)), `${seen}: answer for ${identity} is ${codeOf(res)}, not ${expected.join(' or ')}`);
    }
    signedIn += answers.filter((res) => codeOf(res) === 'session').length;
  }
  assert.ok(signedIn >= ROUNDS / 2, `only ${signedIn} of ${ROUNDS} rounds signed anyone in`);
});
