/**
 * Regressions of the fourteenth attack pass, on the unique e-mail index (email-lookup.ts).
 *
 * A14-1: whether the index guards addresses was asked once, at boot. An index dropped while Strapi
 * ran (by hand, a table rebuilt) left instances writing addresses with neither the index nor the
 * lock: a second account with an address Strapi had just given another. Now an instance asks again
 * once a minute (the plugin's clock) and takes the lock while the index is gone.
 *
 * A14-2: an instance that booted without the unique index (two accounts shared an address) answered
 * 503 when another instance had made the index since and it refused the account: the failed write
 * looked the holder up only on instances that knew of the index.
 *
 * A14-3 (older than the index): an account that took the address after the sign-in looked was
 * linked and signed in by the provisioning transaction without the policy: blocked, or inactive
 * with a pending invitation. Now nothing is written and the sign-in is planned again, which finds
 * that account and refuses it, links it or activates it as any account the look-up finds.
 *
 * Also (MariaDB): an address the index refuses because the collation takes it for an existing
 * one (accents ignored) is refused as before, not answered 503.
 *
 * The statement checks run on every database; the races hold a sign-in with PostgreSQL's locks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type StrapiProcess, type TestStrapi } from '../harness/strapi';
import { request, type TestResponse } from '../harness/http';
import { blockedOn as waitForLock } from '../harness/pg-lock-wait';
import { assertSignedInAs, refusalCode } from '../harness/assertions';
import { insertAddressTwin } from '../harness/admin-twin';

const EMAIL_UNIQUE_INDEX = 'remote_auth_admin_users_email_unique';
const RECHECK_MS = 60_000;
const BY_HEADER = { userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email' };
const onPostgres = process.env.TEST_DB === 'postgres';

let app: TestStrapi;
const knex = () => app.strapi.db.connection;
let counter = 0;
const fresh = (prefix: string) => `${prefix}${process.pid}x${++counter}`;

before(async () => {
  app = await startStrapi();
});
after(() => app?.stop());

const login = (user: string, headers: Record<string, string> = {}, origin = app.origin): Promise<TestResponse> =>
  request(origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': user, ...headers } });

const accountsWith = async (address: string) =>
  (await knex()('admin_users').whereRaw('lower(email) = lower(?)', [address]).select('id').orderBy('id')) as Array<{ id: number }>;
const linkOf = async (subject: string) => ((await knex()('remote_auth_identities').where({ subject }).first('user_id')) as { user_id: number } | undefined)?.user_id;

/** Moves the plugin's clock past the index's recheck interval. */
function skipAhead(): void {
  const clock = app.strapi.plugin('remote-auth').service('clock') as { now(): number };
  const before = clock.now.bind(clock);
  const skew = RECHECK_MS + 1_000;
  clock.now = () => before() + skew;
}

const dropIndex = () => knex().raw(app.database.kind === 'mysql' ? 'DROP INDEX ?? ON admin_users' : 'DROP INDEX ??', [EMAIL_UNIQUE_INDEX]);
const makeIndex = () =>
  knex().raw(app.database.kind === 'mysql' ? 'CREATE UNIQUE INDEX ?? ON admin_users (email)' : 'CREATE UNIQUE INDEX ?? ON admin_users (lower(email))', [EMAIL_UNIQUE_INDEX]);

/** Whether a first sign-in (a new address) looks its address up inside its transaction: the lock path (address-lock.ts). */
async function looksUpInside(): Promise<boolean> {
  const seen: string[] = [];
  const listener = (query: { sql: string }) => seen.push(query.sql);
  const connection = knex() as unknown as { on(e: 'query', f: typeof listener): void; removeListener(e: 'query', f: typeof listener): void };
  connection.on('query', listener);
  try {
    const email = `${fresh('probe')}@corp.example`;
    assert.equal((await login(email)).status, 302);
  } finally {
    connection.removeListener('query', listener);
  }
  const begin = seen.findIndex((sql) => /^begin/i.test(sql.trim()));
  return seen.slice(begin).some((sql) => /select\s+[`"]id[`"],\s*[`"]email[`"]\s+as/i.test(sql));
}

/** Polls `condition` (a sign-in each time) until it holds; the index is asked again in the background. */
async function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('A14-1: the unique index dropped while Strapi runs', () => {
  test('is noticed once the recheck interval passed: first sign-ins take the lock; an index made again is noticed too', async () => {
    app.configure({ autoCreate: true, maxNewUsersPerMinute: 0 });
    assert.equal(await looksUpInside(), false, 'with the unique index, a first sign-in looks its address up inside its transaction');
    await dropIndex();
    try {
      // Within the interval the instance still trusts its last answer (a minute at most).
      assert.equal(await looksUpInside(), false);
      skipAhead();
      await eventually(looksUpInside, 'first sign-ins take the lock once the index is gone');
    } finally {
      await makeIndex();
    }
    skipAhead();
    await eventually(async () => !(await looksUpInside()), 'first sign-ins go without the lock once the index is back');
  });
});

describe('A14-1 on PostgreSQL: the race the index no longer decides', { skip: !onPostgres && 'PostgreSQL only (TEST_DB=postgres)' }, () => {
  test('a sign-in whose address Strapi writes meanwhile, after the index went: refused (e-mail header), no second account', async () => {
    app.configure({ autoCreate: true, maxNewUsersPerMinute: 0 });
    await dropIndex();
    try {
      skipAhead();
      await eventually(looksUpInside, 'first sign-ins take the lock once the index is gone');
      app.configure({ autoCreate: true, maxNewUsersPerMinute: 0, ...BY_HEADER });
      const user = fresh('mallory');
      const email = `${fresh('victim')}@corp.example`;
      const { res, made } = await whileStrapiWrites(email, {}, () => login(user, { 'Remote-Email': email }));
      assert.equal(refusalCode(res), 'account-not-linked', res.body);
      assert.deepEqual(await accountsWith(email), [{ id: made }]);
      assert.equal(await linkOf(user), undefined);
    } finally {
      await makeIndex();
      skipAhead();
    }
  });
});

// ---------------------------------------------------------------- PostgreSQL: holding a sign-in

const blockedOn = (fragment: string) => waitForLock(knex(), fragment);

/** As Strapi's admin service writes an account (Settings → Users, an invitation). */
const strapiWrites = (email: string, extra: Record<string, unknown>) =>
  app.strapi.db.query('admin::user').create({ data: { email, firstname: 'Made', lastname: 'By Strapi', isActive: true, blocked: false, ...extra } }) as Promise<{
    id: number;
  }>;

/** Signs in; while the sign-in waits in its plan (a role-list reload on a locked `admin_roles`), Strapi writes an account with `email`. */
async function whileStrapiWrites(email: string, extra: Record<string, unknown>, signIn: () => Promise<TestResponse>): Promise<{ res: TestResponse; made: number }> {
  // A role write drops the role list, whose reload then waits on the locked table.
  const role = (await app.strapi.db.query('admin::role').create({ data: { name: fresh('Probe '), code: fresh('probe-'), description: '' } })) as { id: number };
  let made = 0;
  let pending: Promise<TestResponse> | undefined;
  try {
    const trx = await knex().transaction();
    try {
      await trx.raw('LOCK TABLE admin_roles IN ACCESS EXCLUSIVE MODE');
      pending = signIn();
      await blockedOn('admin_roles');
      made = (await strapiWrites(email, extra)).id;
    } finally {
      await trx.commit();
    }
    return { res: await pending!, made };
  } finally {
    await app.strapi.db.query('admin::role').delete({ where: { id: role.id } });
  }
}

describe('A14-3: an account that takes the address while a first sign-in is on its way is judged like any other', { skip: !onPostgres && 'PostgreSQL only (TEST_DB=postgres)' }, () => {
  test('blocked: refused (blocked-user), nothing linked, no session', async () => {
    app.configure({ autoCreate: true, maxNewUsersPerMinute: 0 });
    const email = `${fresh('blocked')}@corp.example`;
    const { res, made } = await whileStrapiWrites(email, { blocked: true }, () => login(email));
    assert.equal(refusalCode(res), 'blocked-user', res.body);
    assert.equal(res.cookies.jwtToken, undefined);
    assert.equal(await linkOf(email), undefined);
    assert.deepEqual(await accountsWith(email), [{ id: made }]);
  });

  test('inactive with a pending invitation: refused (inactive-user), nothing linked, the invitation left as it was', async () => {
    app.configure({ autoCreate: true, maxNewUsersPerMinute: 0 });
    const email = `${fresh('invitee')}@corp.example`;
    const { res, made } = await whileStrapiWrites(email, { isActive: false, registrationToken: 'pending-invite-token' }, () => login(email));
    assert.equal(refusalCode(res), 'inactive-user', res.body);
    assert.equal(await linkOf(email), undefined);
    assert.deepEqual(await knex()('admin_users').where({ id: made }).first('is_active', 'registration_token'), { is_active: false, registration_token: 'pending-invite-token' });
  });

  test('inactive with allowInactive: linked and activated, its invitation withdrawn, as the sign-in path does', async () => {
    app.configure({ autoCreate: true, maxNewUsersPerMinute: 0, allowInactive: true });
    const email = `${fresh('invitee')}@corp.example`;
    const { res, made } = await whileStrapiWrites(email, { isActive: false, registrationToken: 'pending-invite-token' }, () => login(email));
    await assertSignedInAs(app, res, email);
    assert.equal(await linkOf(email), made);
    assert.deepEqual(await knex()('admin_users').where({ id: made }).first('is_active', 'registration_token'), { is_active: true, registration_token: null });
  });
});

describe('A14-2: an instance that booted without the unique index, once another made it', { skip: !onPostgres && 'PostgreSQL only (TEST_DB=postgres)' }, () => {
  let locking: StrapiProcess;
  let twin: string;
  before(async () => {
    await dropIndex();
    twin = await insertAddressTwin(knex());
    const config = { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0, ...BY_HEADER, linkByEmailHeader: true };
    locking = await startStrapi({ mode: 'child', database: app.database, config });
    // The shared address is mended and the index made (by another instance's start) while it runs.
    await knex()('admin_users').where({ document_id: twin }).delete();
    await makeIndex();
  });
  after(() => locking?.stop());

  test('a first sign-in whose address Strapi writes at the same moment is linked to that account, not answered 503', async () => {
    const user = fresh('carol');
    const email = `${fresh('carol.mail')}@corp.example`;
    let made = 0;
    let pending: Promise<TestResponse> | undefined;
    // Strapi's account stays uncommitted until the sign-in's own insert waits on it (the unique index).
    await app.strapi.db.transaction(async () => {
      made = (await strapiWrites(email, {})).id;
      pending = locking.watch(login(user, { 'Remote-Email': email }, locking.origin));
      await blockedOn('insert');
    });
    const res = await pending!;
    assert.equal(res.status, 302, res.body.slice(0, 300));
    assert.equal(await linkOf(user), made);
    assert.deepEqual(await accountsWith(email), [{ id: made }]);
  });
});

describe('A14-3 in strict mode: the plan made again asks the database, not the cached answer', () => {
  test('an account another instance wrote (no lifecycle here) while "no such account" is cached: the header request is linked to it, not answered 503', async () => {
    app.configure({ mode: 'strict' });
    const email = `${fresh('cached')}@corp.example`;
    const me = () => request(app.origin, '/admin/users/me', { headers: { Accept: 'application/json', 'Remote-User': email } });
    assert.equal(refusalCode(await me()), 'unknown-user'); // this instance now remembers: no account for it (IDENTITY_CACHE_TTL_MS)
    // Another instance's write: straight to the database, so this instance's lifecycles (which clear the cache) never see it.
    const row = (await knex()('admin_users').orderBy('id').first()) as Record<string, unknown>;
    const { id: _id, ...copy } = row;
    await knex()('admin_users').insert({ ...copy, email, document_id: fresh('doc'), password: null, registration_token: null, reset_password_token: null });
    const made = Number(((await knex()('admin_users').where({ email }).first('id')) as { id: number }).id);
    const editor = (await knex()('admin_roles').where({ code: 'strapi-editor' }).first('id')) as { id: number };
    await knex()('admin_users_roles_lnk').insert({ user_id: made, role_id: editor.id, role_ord: 1, user_ord: 1 });
    app.configure({ mode: 'strict', autoCreate: true });
    const res = await me();
    assert.equal(res.status, 200, res.body.slice(0, 300));
    assert.equal(Number(res.json().data.id), made);
    assert.equal(await linkOf(email), made);
    assert.deepEqual(await accountsWith(email), [{ id: made }]);
  });
});

describe('on MariaDB: an address only the collation takes for an existing one', { skip: process.env.TEST_DB !== 'mysql' && 'MySQL/MariaDB only (TEST_DB=mysql)' }, () => {
  test('a first sign-in asserting jose@ while josé@ exists is refused (account-not-linked) by the index, not answered 503, and writes nothing', async () => {
    app.configure({ autoCreate: true, maxNewUsersPerMinute: 0 });
    const local = fresh('jose');
    const accented = `${local.replace('jose', 'josé')}@corp.example`;
    const { id } = await app.createAdmin({ email: accented, roles: ['strapi-editor'] });
    const email = `${local}@corp.example`;
    const res = await login(email);
    assert.equal(refusalCode(res), 'account-not-linked', res.body.slice(0, 300));
    assert.equal(await linkOf(email), undefined);
    assert.deepEqual(await accountsWith(email), [{ id }], 'the collation takes them for one address: only the existing account');
  });
});
