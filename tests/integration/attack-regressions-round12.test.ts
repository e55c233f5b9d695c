/**
 * Regressions of the twelfth attack pass (PostgreSQL).
 *
 * A12-1: an account Strapi itself writes (Settings → Users, an invitation: through neither the
 * plugin's look-up nor its lock) while a sign-in is on its way must be seen: skipping the look-up
 * inside the address's lock let a first sign-in make a second account with the address, and
 * e-mail sync copy it onto another account.
 *
 * Each test holds the sign-in at the point where that went wrong — between its own look-up and its
 * write (a role-list reload waiting on a locked `admin_roles`), or at the write itself (waiting on
 * Strapi's uncommitted account, or, without the unique index, on the address's lock) — writes the
 * address as Strapi's admin service does, then lets the sign-in go on. PostgreSQL only: the tests
 * block the sign-in with PostgreSQL's table and advisory locks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type StrapiProcess, type TestStrapi } from '../harness/strapi';
import { request, type TestResponse } from '../harness/http';
import { blockedOn as waitForLock } from '../harness/pg-lock-wait';
import { assertSignedInAs, refusalCode } from '../harness/assertions';
import { insertAddressTwin } from '../harness/admin-twin';

let app: TestStrapi;
const knex = () => app.strapi.db.connection;
let counter = 0;
const fresh = (prefix: string) => `${prefix}${process.pid}x${++counter}`;

const onPostgres = process.env.TEST_DB === 'postgres';
const EMAIL_UNIQUE_INDEX = 'remote_auth_admin_users_email_unique';
const BY_HEADER = { userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email' };

before(async () => {
  if (onPostgres) app = await startStrapi();
});
after(() => app?.stop());

const login = (user: string, headers: Record<string, string> = {}): Promise<TestResponse> =>
  request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': user, ...headers } });

const blockedOn = (fragment: string) => waitForLock(knex(), fragment);

/** Holds `lock` (a statement run in a transaction of its own) while `during` runs, then lets go. */
async function holding(lock: string, bindings: unknown[], during: () => Promise<void>): Promise<void> {
  const trx = await knex().transaction();
  try {
    await trx.raw(lock, bindings as never);
    await during();
  } finally {
    await trx.commit();
  }
}

/** As Strapi's admin service writes an account (Settings → Users, an invitation): no lock of the plugin. */
const strapiWrites = (email: string) =>
  app.strapi.db.query('admin::user').create({ data: { email, firstname: 'Made', lastname: 'By Strapi', isActive: true, blocked: false } }) as Promise<{ id: number }>;

const accountsWith = async (address: string) =>
  (await knex()('admin_users').whereRaw('lower(email) = lower(?)', [address]).select('id').orderBy('id')) as Array<{ id: number }>;
const linkOf = async (subject: string) => ((await knex()('remote_auth_identities').where({ subject }).first('user_id')) as { user_id: number } | undefined)?.user_id;

/** The role list is dropped by a role write; its reload then waits while `admin_roles` is locked. */
async function duringPlan(write: () => Promise<void>, signIn: () => Promise<TestResponse>): Promise<TestResponse> {
  const role = (await app.strapi.db.query('admin::role').create({ data: { name: fresh('Probe '), code: fresh('probe-'), description: '' } })) as { id: number };
  let pending: Promise<TestResponse> | undefined;
  try {
    await holding('LOCK TABLE admin_roles IN ACCESS EXCLUSIVE MODE', [], async () => {
      pending = signIn();
      await blockedOn('admin_roles');
      await write();
    });
    return await pending!;
  } finally {
    await app.strapi.db.query('admin::role').delete({ where: { id: role.id } });
  }
}

/** Signs in; while the sign-in waits in its plan, Strapi writes an account with `email` (its id: `made`). */
async function whileStrapiWrites(email: string, signIn: () => Promise<TestResponse>): Promise<{ res: TestResponse; made: number }> {
  let made = 0;
  const res = await duringPlan(async () => void (made = (await strapiWrites(email)).id), signIn);
  return { res, made };
}

describe('A12-1: an address Strapi writes while a sign-in is on its way is seen (the unique index)', { skip: !onPostgres && 'PostgreSQL only (TEST_DB=postgres)' }, () => {
  test('a first sign-in (userField email) is linked to the account Strapi wrote meanwhile: no second account', async () => {
    app.configure({ autoCreate: true, maxNewUsersPerMinute: 0 });
    const email = `${fresh('plan')}@corp.example`;
    const { res, made } = await whileStrapiWrites(email, () => login(email));
    await assertSignedInAs(app, res, email);
    assert.deepEqual(await accountsWith(email), [{ id: made }]);
    assert.equal(await linkOf(email), made);
  });

  test('a first sign-in whose address came from the e-mail header is refused (account-not-linked): nothing of its own is written', async () => {
    app.configure({ autoCreate: true, maxNewUsersPerMinute: 0, ...BY_HEADER });
    const user = fresh('mallory');
    const email = `${fresh('victim')}@corp.example`;
    const { res, made } = await whileStrapiWrites(email, () => login(user, { 'Remote-Email': email }));
    assert.equal(res.status, 403, res.body);
    assert.equal(refusalCode(res), 'account-not-linked');
    assert.equal(res.cookies.jwtToken, undefined);
    assert.equal(await knex()('admin_users').where({ username: user }).first('id'), undefined, 'an account was made for the refused sign-in');
    assert.deepEqual(await accountsWith(email), [{ id: made }]);
    assert.equal(await linkOf(user), undefined);
  });

  test('e-mail sync leaves an address alone that Strapi gave another account while the sync was on its way (the unique index refuses the copy)', async () => {
    app.configure({ autoCreate: true, maxNewUsersPerMinute: 0, ...BY_HEADER });
    const user = fresh('alice');
    const old = `${fresh('alice.old')}@corp.example`;
    const target = `${fresh('shared')}@corp.example`;
    await assertSignedInAs(app, await login(user, { 'Remote-Email': old }), old);
    let made = 0;
    let pending: Promise<TestResponse> | undefined;
    // Strapi writes the address in a transaction that commits only once the sync's write waits on it.
    await app.strapi.db.transaction(async () => {
      made = (await strapiWrites(target)).id;
      pending = login(user, { 'Remote-Email': target });
      await blockedOn('update');
    });
    const res = await pending!;
    assert.equal(res.status, 302, res.body);
    assert.deepEqual(await accountsWith(target), [{ id: made }], 'the sync wrote an address another account has');
    assert.deepEqual(await accountsWith(old), [{ id: (await linkOf(user))! }]);
  });
});

describe('A12-1 without the unique index (two admin users already share an address): the address lock', { skip: !onPostgres && 'PostgreSQL only (TEST_DB=postgres)' }, () => {
  let locking: StrapiProcess;
  let twin: string;
  before(async () => {
    await knex().raw('DROP INDEX ??', [EMAIL_UNIQUE_INDEX]);
    twin = await insertAddressTwin(knex());
    locking = await startStrapi({ mode: 'child', database: app.database, config: { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0, ...BY_HEADER } });
  });
  after(async () => {
    await locking?.stop();
    await knex()('admin_users').where({ document_id: twin }).delete();
  });
  const loginThere = (user: string, headers: Record<string, string> = {}): Promise<TestResponse> =>
    locking.watch(request(locking.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': user, ...headers } }));

  test('e-mail sync leaves an address alone that Strapi gave another account while the sync waited for its lock', async () => {
    const user = fresh('alice');
    const old = `${fresh('alice.old')}@corp.example`;
    const target = `${fresh('shared')}@corp.example`;
    assert.equal((await loginThere(user, { 'Remote-Email': old })).status, 302);
    let made = 0;
    let pending: Promise<TestResponse> | undefined;
    // The address's own lock (address-lock.ts), held by another session: the sync waits for it.
    await holding('SELECT pg_advisory_xact_lock(?, hashtext(lower(?)))', [0x7261_0001, target], async () => {
      pending = loginThere(user, { 'Remote-Email': target });
      await blockedOn('pg_advisory_xact_lock');
      made = (await strapiWrites(target)).id;
    });
    const res = await pending!;
    assert.equal(res.status, 302, res.body);
    assert.deepEqual(await accountsWith(target), [{ id: made }], 'the sync wrote an address another account has');
    assert.deepEqual(await accountsWith(old), [{ id: (await linkOf(user))! }]);
  });
});
