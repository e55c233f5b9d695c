/**
 * Two identities writing one e-mail address at the same moment, on two Strapi processes on one
 * PostgreSQL or MariaDB database: two first sign-ins (two new accounts), two e-mail syncs of
 * existing accounts, and a sync and a first sign-in. Strapi checks an address is free before it
 * writes it, so each transaction could find the address free and write it (with neither the unique
 * index nor the address lock: two accounts in 6 rounds of 6 for two creations, 6 of 8 for two syncs
 * on PostgreSQL). Now exactly one account has the address; an identity that asserts it without
 * owning that account is refused (a new one) or keeps its own address (an existing one). Each race
 * runs twice: with the plugin's unique index on the address, and on instances that booted where two
 * admin users already shared an address (no unique index: the address lock decides).
 *
 *   TEST_DB=postgres node --import tsx --test tests/scale/email-race.test.ts
 *   TEST_DB=mysql    node --import tsx --test tests/scale/email-race.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKind } from '../harness/database';
import { request, type TestResponse } from '../harness/http';
import { startStrapi, type StrapiProcess, type TestStrapi } from '../harness/strapi';
import { insertAddressTwin } from '../harness/admin-twin';

const skip =
  databaseKind() === 'sqlite'
    ? 'needs a database server: SQLite is one file and cannot be shared by several Strapi processes; run with TEST_DB=postgres or TEST_DB=mysql'
    : false;

// The identity is the user name, the address comes from the e-mail header: two identities can assert one address.
const CONFIG = { trustedProxies: ['127.0.0.1/32'], userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email', autoCreate: true, maxNewUsersPerMinute: 0 };
const ROUNDS = 6;
const EMAIL_UNIQUE_INDEX = 'remote_auth_admin_users_email_unique';
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

/** The admin users with `email` in Strapi's eyes (its own predicate, under the column's collation). */
const holders = async (email: string): Promise<number[]> =>
  ((await app.strapi.db.connection('admin_users').whereRaw('lower(email) = lower(?)', [email]).select('id').orderBy('id')) as Array<{ id: number }>).map((row) => Number(row.id));
const linkOf = async (subject: string): Promise<number | null> => {
  const row = (await app.strapi.db.connection('remote_auth_identities').where({ subject }).first('user_id')) as { user_id: number } | undefined;
  return row ? Number(row.user_id) : null;
};
/** Two instances on one database: `a` and `b`. */
interface Pair {
  readonly a: { readonly origin: string };
  readonly b: StrapiProcess;
}
/** Both instances at once: `first` on `a`, `second` on `b`. */
const together = (pair: Pair, first: () => Promise<TestResponse>, second: () => Promise<TestResponse>) => Promise.all([first(), pair.b.watch(second())]);

/** The three races, on the instances `pair()` gives once its `before` ran. */
function races(pair: () => Pair): void {
  test('one new address asserted by two identities at once on two instances: one account, linked to one of them; the other is refused', { skip }, async () => {
    const { a, b } = pair();
    for (let round = 1; round <= ROUNDS; round++) {
      const email = `${fresh('shared')}@corp.example`;
      const [first, second] = [fresh('ann'), fresh('bob')];
      const answers = await together(pair(), () => signIn(a.origin, first, email), () => signIn(b.origin, second, email));
      const seen = `round ${round}: answers ${answers.map(codeOf).join(' ')}`;
      const accounts = await holders(email);
      assert.equal(accounts.length, 1, `${seen}: ${accounts.length} accounts with ${email}`);
      const linked = [await linkOf(first), await linkOf(second)];
      assert.equal(linked.filter((id) => id !== null).length, 1, `${seen}: links ${JSON.stringify(linked)}`);
      const winner = linked[0] !== null ? 0 : 1;
      assert.equal(linked[winner], accounts[0], `${seen}: the link does not point at the account`);
      assert.deepEqual(answers.map(codeOf), winner === 0 ? ['session', 'account-linked-elsewhere'] : ['account-linked-elsewhere', 'session'], seen);
    }
  });

  test('two existing accounts syncing to one new address at once on two instances: one of them gets it, both sign in', { skip }, async () => {
    const { a, b } = pair();
    for (let round = 1; round <= ROUNDS; round++) {
      const [first, second] = [fresh('cid'), fresh('dee')];
      for (const who of [first, second]) assert.equal(codeOf(await signIn(a.origin, who, `${who}@corp.example`)), 'session');
      const ids = [await linkOf(first), await linkOf(second)];
      const email = `${fresh('moved')}@corp.example`;
      const answers = await together(pair(), () => signIn(a.origin, first, email), () => signIn(b.origin, second, email));
      const seen = `round ${round}: answers ${answers.map(codeOf).join(' ')}`;
      assert.deepEqual(answers.map(codeOf), ['session', 'session'], seen);
      const accounts = await holders(email);
      assert.equal(accounts.length, 1, `${seen}: accounts ${JSON.stringify(accounts)} have ${email}`);
      assert.ok(ids.includes(accounts[0]), `${seen}: ${email} is on user ${accounts[0]}, not on ${ids.join(' or ')}`);
    }
  });

  test('an existing account syncing to an address that a new identity asserts at the same moment: one account has it', { skip }, async () => {
    const { a, b } = pair();
    for (let round = 1; round <= ROUNDS; round++) {
      const [existing, newcomer] = [fresh('eve'), fresh('fay')];
      assert.equal(codeOf(await signIn(a.origin, existing, `${existing}@corp.example`)), 'session');
      const email = `${fresh('wanted')}@corp.example`;
      const answers = await together(pair(), () => signIn(a.origin, existing, email), () => signIn(b.origin, newcomer, email));
      const seen = `round ${round}: answers ${answers.map(codeOf).join(' ')}`;
      const accounts = await holders(email);
      assert.equal(accounts.length, 1, `${seen}: accounts ${JSON.stringify(accounts)} have ${email}`);
      const created = await linkOf(newcomer);
      // Either the sync wrote it first (the newcomer is refused, nothing made) or the newcomer's account did (the sync leaves it).
      if (created === null) assert.deepEqual(answers.map(codeOf), ['session', 'account-linked-elsewhere'], seen);
      else assert.deepEqual([answers.map(codeOf), accounts[0]], [['session', 'session'], created], seen);
      assert.equal(accounts[0], created ?? (await linkOf(existing)), seen);
    }
  });
}

// The unique index on the address (email-lookup.ts) decides.
races(() => ({ a: app, b: other }));

describe('MariaDB', { skip: skip || (databaseKind() !== 'mysql' && 'a MariaDB setting (TEST_DB=mysql)') }, () => {
  test("innodb_snapshot_isolation on (its default from 11.6.2): one identity's first sign-in with two addresses on two instances at once gets the one account on both", async (t) => {
    // On for this instance's own connections only (the server is shared): the locking read of the link
    // committed by the other instance after this transaction's snapshot fails with ER_CHECKREAD, retried.
    type Connection = { query(sql: string, done: (error: unknown) => void): void };
    const pool = (app.strapi.db.connection as unknown as { client: { pool: { free: Array<{ resource: Connection }>; on(event: string, f: (id: number, c: Connection) => void): void; removeListener(event: string, f: unknown): void } } }).client.pool;
    const setting = (value: 'ON' | 'OFF') => (_id: number, connection: Connection) => connection.query(`SET SESSION innodb_snapshot_isolation = ${value}`, () => undefined);
    const known = await app.strapi.db.connection.raw('SELECT @@innodb_snapshot_isolation AS v').then(() => true, () => false);
    if (!known) return t.skip('this MariaDB or MySQL has no innodb_snapshot_isolation');
    const on = setting('ON');
    for (const free of pool.free) on(0, free.resource);
    pool.on('acquireSuccess', on);
    try {
      const [[session]] = (await app.strapi.db.connection.raw('SELECT @@session.innodb_snapshot_isolation AS v')) as unknown as [[{ v: number }]];
      assert.equal(Number(session.v), 1, 'the setting did not take');
      for (let round = 1; round <= ROUNDS; round++) {
        const who = fresh('sam');
        const answers = await together({ a: app, b: other }, () => signIn(app.origin, who, `${who}.a@corp.example`), () => signIn(other.origin, who, `${who}.b@corp.example`));
        const seen = `round ${round}: answers ${answers.map(codeOf).join(' ')}`;
        assert.deepEqual(answers.map(codeOf), ['session', 'session'], seen);
        const accounts = (await app.strapi.db.connection('admin_users').where('email', 'like', `${who}.%`).select('id')) as Array<{ id: number }>;
        assert.equal(accounts.length, 1, seen);
        assert.equal(await linkOf(who), Number(accounts[0].id), seen);
      }
    } finally {
      pool.removeListener('acquireSuccess', on);
      const off = setting('OFF');
      for (const free of pool.free) off(0, free.resource);
    }
  });
});

describe('without the unique index: two admin users already share an address, so every address written takes the lock', { skip }, () => {
  let a: StrapiProcess;
  let b: StrapiProcess;
  let twin: string;
  before(async () => {
    const knex = app.strapi.db.connection;
    await knex.raw(databaseKind() === 'mysql' ? 'DROP INDEX ?? ON admin_users' : 'DROP INDEX ??', [EMAIL_UNIQUE_INDEX]);
    twin = await insertAddressTwin(knex);
    // Both boot with the shared address there: neither can make the index unique.
    [a, b] = await Promise.all([0, 1].map(() => startStrapi({ mode: 'child', database: app.database, config: CONFIG })));
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await app.strapi.db.connection('admin_users').where({ document_id: twin }).delete();
  });
  races(() => ({ a, b }));
});
