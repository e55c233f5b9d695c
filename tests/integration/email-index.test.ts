/**
 * The e-mail look-up of first sign-ins goes through an index the plugin
 * creates on Strapi's admin user table (issue 14, "cost that stays flat";
 * server/src/strapi/accounts/email-lookup.ts), on SQLite, PostgreSQL and
 * MariaDB (TEST_DB).
 *
 * What must hold: the index is there and the database uses it; the look-up
 * finds exactly the account Strapi's own `findOneByEmail` finds — accounts
 * made by Strapi's admin API or services after boot, case and Unicode
 * variants included — and follows e-mail changes and deletions at once, even
 * those that bypass Strapi (raw SQL: the database keeps the index, there is no
 * copy to go stale); concurrent first sign-ins still make one account; and an
 * index that went missing (a Strapi upgrade rebuilding the table) changes no
 * answer and is back after the next start.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { request, type TestResponse } from '../harness/http';
import { assertRefused, assertSignedInAs, passwordLogin, snapshot } from '../harness/assertions';
import { insertAddressTwin } from '../harness/admin-twin';

const EMAIL_UNIQUE_INDEX = 'remote_auth_admin_users_email_unique';
/** The plain indexes, made where the unique one cannot be (and by earlier versions). */
const EMAIL_INDEX = 'remote_auth_admin_users_email_lower';
const EMAIL_INDEX_MYSQL = 'remote_auth_admin_users_email';
const OWNER = { email: 'owner@corp.example', password: 'Own3r!Password' };

let app: TestStrapi;
let token: string;

before(async () => {
  app = await startStrapi();
  await app.createAdmin(OWNER);
  token = (await passwordLogin(app, OWNER.email, OWNER.password)).json().data.token;
});
after(() => app?.stop());
beforeEach(() => app.configure({ autoCreate: true, maxNewUsersPerMinute: 0 }));

const kind = () => app.database.kind;
const knex = () => app.strapi.db.connection;
let counter = 0;
const fresh = (prefix: string) => `${prefix}.${process.pid}x${++counter}`;

const signIn = (identity: string): Promise<TestResponse> =>
  request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': identity } });

/** Strapi's admin API, as the Users settings page calls it. */
const api = (method: string, path: string, body?: unknown) =>
  request(app.origin, path, { method, body, headers: { Accept: 'application/json', Authorization: `Bearer ${token}` } });

/** The admin user the session a sign-in started belongs to. */
async function signedInId(res: TestResponse): Promise<number> {
  assert.ok(res.cookies.jwtToken, `no session (status ${res.status}): ${res.body.slice(0, 200)}`);
  const me = await request(app.origin, '/admin/users/me', { headers: { Authorization: `Bearer ${res.cookies.jwtToken}` } });
  assert.equal(me.status, 200, me.body);
  return Number(me.json().data.id);
}

const roleId = async (code: string): Promise<number> =>
  ((await app.strapi.db.query('admin::role').findOne({ where: { code } })) as { id: number }).id;

const idOf = async (email: string): Promise<number | null> =>
  ((await app.strapi.db.query('admin::user').findOne({ where: { email }, select: ['id'] })) as { id: number } | null)?.id ?? null;

const usersNamed = async (pattern: string): Promise<number> => {
  const row = await knex()('admin_users').whereRaw('lower(email) like ?', [pattern]).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
};

async function indexNames(): Promise<string[]> {
  if (kind() === 'sqlite') return ((await knex().raw('PRAGMA index_list(admin_users)')) as Array<{ name: string }>).map((r) => r.name);
  if (kind() === 'postgres') {
    return ((await knex().raw("SELECT indexname FROM pg_indexes WHERE tablename = 'admin_users'")) as { rows: Array<{ indexname: string }> }).rows.map(
      (r) => r.indexname,
    );
  }
  const [rows] = (await knex().raw(
    "SELECT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'admin_users'",
  )) as [Array<{ name: string }>];
  return rows.map((r) => r.name);
}

const ourIndex = () => EMAIL_UNIQUE_INDEX;
const plainIndex = () => (kind() === 'mysql' ? EMAIL_INDEX_MYSQL : EMAIL_INDEX);
const dropIndex = (name: string) => knex().raw(kind() === 'mysql' ? 'DROP INDEX ?? ON admin_users' : 'DROP INDEX ??', [name]);

describe('the index', () => {
  test('is created at boot, and the database plans the look-up of a first sign-in with it', async () => {
    assert.ok((await indexNames()).includes(ourIndex()), `no ${ourIndex()} on admin_users: ${(await indexNames()).join(', ')}`);
    assert.ok(!(await indexNames()).includes(plainIndex()), `the plain index ${plainIndex()} is kept beside the unique one`);
    const email = 'someone@corp.example';
    if (kind() === 'sqlite') {
      const plan = (await knex().raw('EXPLAIN QUERY PLAN SELECT id FROM admin_users WHERE lower(email) = lower(?)', [email])) as Array<{ detail: string }>;
      assert.match(plan.map((r) => r.detail).join('\n'), new RegExp(EMAIL_UNIQUE_INDEX));
    } else if (kind() === 'postgres') {
      // The table is small: forbid the sequential scan so the plan shows whether the index can serve the predicate.
      const plan = await knex().transaction(async (trx) => {
        await trx.raw('SET LOCAL enable_seqscan = off');
        return (await trx.raw('EXPLAIN SELECT id FROM admin_users WHERE lower(email) = lower(?)', [email])) as { rows: Array<Record<string, string>> };
      });
      assert.match(plan.rows.map((r) => Object.values(r)[0]).join('\n'), new RegExp(EMAIL_UNIQUE_INDEX));
    } else {
      // An address that is there: for one that is not, the unique index answers while planning ("no matching row in const table").
      const [rows] = (await knex().raw('EXPLAIN SELECT id FROM admin_users WHERE lower(email) = lower(?) AND email = ?', [OWNER.email, OWNER.email])) as [
        Array<{ possible_keys: string | null }>,
      ];
      assert.match(String(rows[0].possible_keys), new RegExp(EMAIL_UNIQUE_INDEX));
    }
  });

  test('a missing index changes no answer, and the next start creates it again', async () => {
    const email = `${fresh('noindex')}@corp.example`;
    const { id } = await app.createAdmin({ email: email.toUpperCase(), roles: ['strapi-editor'] });
    await dropIndex(ourIndex());
    try {
      assert.ok(!(await indexNames()).includes(ourIndex()));
      const res = await signIn(email);
      await assertSignedInAs(app, res, email.toUpperCase());
      assert.equal(await idOf(email.toUpperCase()), id);
      assert.equal(await usersNamed(email), 1, 'a second account was created');
    } finally {
      // Another instance starting on this database puts it back.
      const other = await startStrapi({ mode: 'child', database: app.database });
      await other.stop();
    }
    assert.ok((await indexNames()).includes(ourIndex()), 'the next start did not create the index again');
  });

  test('refuses a second admin user with an address Strapi takes for the same one, however it is written (raw SQL)', async () => {
    const email = `${fresh('twice')}@corp.example`;
    await app.createAdmin({ email, roles: ['strapi-editor'] });
    await assert.rejects(
      insertAddressTwin(knex(), { email }, 'x'),
      (error: { message: string }) => error.message.includes(EMAIL_UNIQUE_INDEX) || /unique|duplicate/i.test(error.message),
    );
    assert.equal(await usersNamed(email), 1);
  });

  test('where two admin users already share an address: the index stays plain, the boot says why, and one new address still makes one account (the lock)', async () => {
    const email = `${fresh('shared')}@corp.example`;
    await app.createAdmin({ email, roles: ['strapi-editor'] });
    await dropIndex(ourIndex());
    await insertAddressTwin(knex(), { email }, 'x');
    // Two identities asserting one new address at once, on an instance that booted without the unique index.
    const config = { trustedProxies: ['127.0.0.1/32'], userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email', autoCreate: true, maxNewUsersPerMinute: 0 };
    let other = await startStrapi({ mode: 'child', database: app.database, config, env: { STRAPI_LOG_LEVEL: 'warn' } });
    try {
      assert.match(other.output(), new RegExp(`could not make admin_users\\.email unique .*admin users sharing an address: ${email.replace(/[.]/g, '\\.')} \\(2 accounts\\)`, 'i'));
      assert.ok(!(await indexNames()).includes(ourIndex()));
      assert.ok((await indexNames()).includes(plainIndex()), 'no index for the look-ups');
      const address = `${fresh('new')}@corp.example`;
      const codes = await Promise.all(
        ['a', 'b', 'c'].map(async (who) => {
          const res = await other.watch(
            request(other.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': fresh(who), 'Remote-Email': address } }),
          );
          return res.cookies.jwtToken ? 'session' : (res.json() as { error?: { details?: { code?: string } } })?.error?.details?.code;
        }),
      );
      assert.deepEqual([...codes].sort(), ['account-linked-elsewhere', 'account-linked-elsewhere', 'session']);
      assert.equal(await usersNamed(address), 1, 'two accounts for one new address');
    } finally {
      await other.stop();
    }
    // Once the address is one account's again, the next start makes the index unique.
    await knex()('admin_users').where({ email: email.toUpperCase() }).delete();
    other = await startStrapi({ mode: 'child', database: app.database });
    await other.stop();
    assert.ok((await indexNames()).includes(ourIndex()), 'the next start did not make the index unique');
    assert.ok(!(await indexNames()).includes(plainIndex()));
  });
});

describe('finds what Strapi finds', () => {
  test('an account created through Strapi’s admin API after boot is signed in by its e-mail (linkByEmail)', async () => {
    // An invited account is inactive until its owner registers; allowInactive signs it in (and activates it).
    app.configure({ autoCreate: true, maxNewUsersPerMinute: 0, allowInactive: true });
    const email = `${fresh('api')}@corp.example`;
    const created = await api('POST', '/admin/users', { email: email.toUpperCase(), firstname: 'Api', roles: [await roleId('strapi-editor')] });
    assert.equal(created.status, 201, created.body);
    const before = await usersNamed(email);
    await assertSignedInAs(app, await signIn(email), email);
    assert.equal(await usersNamed(email), before, 'a duplicate account was created');
  });

  test('an account Strapi’s service stored in mixed case is found by the lower-case identity', async () => {
    const stored = `${fresh('Mixed.Case')}@Corp.Example`;
    const { id } = await app.createAdmin({ email: stored, roles: ['strapi-editor'] });
    await assertSignedInAs(app, await signIn(stored.toLowerCase()), stored);
    assert.equal(await usersNamed(stored.toLowerCase()), 1);
    assert.equal(await idOf(stored), id);
  });

  /**
   * Whether the plugin should find what Strapi's findOneByEmail finds: always on PostgreSQL and
   * SQLite; on MySQL/MariaDB only when the lowercased addresses are the same bytes, not merely
   * equal under the column's collation, which ignores accents and folds ß to ss (R6-F1).
   */
  const sameAddress = async (stored: string, identity: string): Promise<boolean> => {
    if (app.strapi.db.dialect.client !== 'mysql') return true;
    const [rows] = (await app.strapi.db.connection.raw('SELECT CAST(lower(?) AS BINARY) = CAST(lower(?) AS BINARY) AS same', [stored, identity])) as [Array<{ same: number }>];
    return Number(rows[0].same) === 1;
  };

  test('Unicode variants (Kelvin sign, dotted capital I, sharp s): the plugin finds the account findOneByEmail finds, but for collation folding on MySQL', async () => {
    app.configure({ autoCreate: false });
    const serial = `${process.pid}x${++counter}`;
    const cases = [
      { stored: `\u212Aelvin.${serial}@corp.example`, identity: `kelvin.${serial}@corp.example` },
      { stored: `\u0130nci.${serial}@corp.example`, identity: `inci.${serial}@corp.example` },
      { stored: `stra\u00DFe.${serial}@corp.example`, identity: `strasse.${serial}@corp.example` },
    ];
    for (const { stored, identity } of cases) {
      const { id } = await app.createAdmin({ email: stored, roles: ['strapi-editor'] });
      const strapiFinds = (await app.strapi.service('admin::user').findOneByEmail(identity)) as { id: number } | null;
      const res = await signIn(identity);
      if (strapiFinds && (await sameAddress(stored, identity))) {
        assert.equal(strapiFinds.id, id);
        assert.equal(await signedInId(res), id, `${identity} signed into another account than ${stored}`);
      } else {
        assert.equal(res.status, 403, `${identity}: no account with this address, the plugin signed someone in: ${res.body.slice(0, 200)}`);
        assert.equal(res.cookies.jwtToken, undefined);
      }
    }
  });
});

describe('changes are seen at once', () => {
  test('an e-mail changed through Strapi’s admin API: the new address finds the account, the old one no longer does', async () => {
    const old = `${fresh('before')}@corp.example`;
    const renamed = `${fresh('after')}@corp.example`;
    const { id } = await app.createAdmin({ email: old, roles: ['strapi-editor'] });
    const changed = await api('PUT', `/admin/users/${id}`, { email: renamed });
    assert.equal(changed.status, 200, changed.body);
    const res = await signIn(old);
    await assertSignedInAs(app, res, old); // a new account: the old address belongs to nobody now
    assert.notEqual(await idOf(old), id);
    await assertSignedInAs(app, await signIn(renamed), renamed);
    assert.equal(await idOf(renamed), id);
  });

  test('an account deleted through Strapi’s admin API is not found; its address gets a new account', async () => {
    const email = `${fresh('deleted')}@corp.example`;
    const { id } = await app.createAdmin({ email, roles: ['strapi-editor'] });
    const deleted = await api('DELETE', `/admin/users/${id}`);
    assert.equal(deleted.status, 200, deleted.body);
    await assertSignedInAs(app, await signIn(email), email);
    const now = await idOf(email);
    assert.ok(now !== null && now !== id, 'signed into the deleted account');
    assert.equal(await usersNamed(email), 1);
  });

  test('an e-mail rewritten by raw SQL, bypassing Strapi’s lifecycles, is followed too (nothing to go stale)', async () => {
    const victim = `${fresh('victim')}@corp.example`;
    const moved = `${fresh('moved')}@corp.example`;
    const { id } = await app.createAdmin({ email: victim, roles: ['strapi-editor'] });
    await knex()('admin_users').where({ id }).update({ email: moved });
    app.configure({ autoCreate: false });
    const before = await snapshot(app);
    // The old address must not reach the account any more: refused, nothing linked.
    await assertRefused(app, before, await signIn(victim), 403);
    await assertSignedInAs(app, await signIn(moved), moved);
    assert.equal(await idOf(moved), id);
  });
});

describe('no work that grows with the user base', () => {
  test('a first sign-in and a returning one run no query over all admin users (Strapi’s telemetry off: its metrics are skipped)', async () => {
    const seen: string[] = [];
    const listener = (query: { sql: string }) => void seen.push(query.sql);
    const connection = knex() as unknown as { on(event: string, f: typeof listener): void; off(event: string, f: typeof listener): void };
    connection.on('query', listener);
    const email = `${fresh('flat')}@corp.example`;
    try {
      await assertSignedInAs(app, await signIn(email), email); // creates the account
      await assertSignedInAs(app, await signIn(email), email); // the known person
      await new Promise((resolve) => setTimeout(resolve, 200)); // work started after the answer
    } finally {
      connection.off('query', listener);
    }
    const onUsers = seen.filter((sql) => /from\s+[`"]?admin_users[`"]?(\s|$)/i.test(sql));
    assert.ok(onUsers.length > 0, 'no admin_users query seen: nothing was tested');
    const unbounded = onUsers.filter((sql) => !/\swhere\s/i.test(sql) || /count\(/i.test(sql));
    assert.deepEqual(unbounded, [], 'queries that read or count every admin user');
  });
});

describe('T11 still holds', () => {
  test('eight concurrent first sign-ins of one new person make one account and one link', async () => {
    const email = `${fresh('burst')}@corp.example`;
    const responses = await Promise.all(Array.from({ length: 8 }, () => signIn(email)));
    for (const res of responses) assert.ok(res.cookies.jwtToken, `status ${res.status}: ${res.body.slice(0, 200)}`);
    assert.equal(await usersNamed(email), 1);
    const links = await knex()('remote_auth_identities').where({ subject: email }).count({ n: '*' }).first();
    assert.equal(Number(links?.n), 1);
  });

  test('concurrent first sign-ins of one person whose account exists link it once and create nothing', async () => {
    const email = `${fresh('existing')}@corp.example`;
    const { id } = await app.createAdmin({ email: email.toUpperCase(), roles: ['strapi-editor'] });
    const responses = await Promise.all(Array.from({ length: 8 }, () => signIn(email)));
    for (const res of responses) assert.ok(res.cookies.jwtToken, `status ${res.status}: ${res.body.slice(0, 200)}`);
    assert.equal(await usersNamed(email), 1);
    const links = (await knex()('remote_auth_identities').where({ subject: email }).select('user_id')) as Array<{ user_id: number }>;
    assert.deepEqual(links.map((l) => Number(l.user_id)), [id]);
  });
});
