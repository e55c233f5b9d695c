/**
 * Two identities asserting one new e-mail address at the same moment, on two Strapi processes on
 * one PostgreSQL or MariaDB database. Strapi's admin user table has no unique index on the
 * e-mail, so both transactions could create an account with it (sixth attack pass, F2: two
 * accounts in 6 rounds of 6 on both databases). Now exactly one account has the address, linked
 * to one of the two identities; the other is refused (account-linked-elsewhere), never signed in.
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
  for (let round = 1; round <= ROUNDS; round++) {
    const email = `${fresh('shared')}@corp.example`;
    const [first, second] = [fresh('ann'), fresh('bob')];
    const answers = await Promise.all([signIn(app.origin, first, email), other.watch(signIn(other.origin, second, email))]);
    const accounts = (await app.strapi.db.connection('admin_users').whereRaw('lower(email) = ?', [email]).select('id')) as Array<{ id: number }>;
    assert.equal(accounts.length, 1, `round ${round}: ${accounts.length} accounts with ${email}; answers ${answers.map(codeOf).join(' ')}`);
    const links = (await app.strapi.db.connection('remote_auth_identities').whereIn('subject', [first, second]).select('subject', 'user_id')) as Array<{ subject: string; user_id: number }>;
    assert.equal(links.length, 1, `round ${round}: links ${JSON.stringify(links)}`);
    assert.equal(Number(links[0].user_id), Number(accounts[0].id));
    const winner = links[0].subject;
    for (const [i, res] of answers.entries()) {
      const identity = i === 0 ? first : second;
      assert.equal(codeOf(res), identity === winner ? 'session' : 'account-linked-elsewhere', `round ${round}, answer ${i} for ${identity}`);
    }
  }
});
