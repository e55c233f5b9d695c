/**
 * Identities are matched exactly, on every database (SECURITY.md T18): a
 * signed assertion's subject "<iss> <sub>" keeps its case (an OIDC `sub` is
 * case-sensitive), so two subs that differ only in case are two people, with
 * two accounts and two links — also on MySQL/MariaDB, whose default
 * collations compare text case-insensitively. There the plugin's columns that
 * must match exactly are migrated to a binary collation, on new installs and
 * on existing ones, and Strapi's own schema sync leaves them so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type StrapiProcess, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertRefused, assertSignedInAs, snapshot } from '../harness/assertions';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { createSigningKey, oidcToken, type SigningKey } from '../harness/assertion-tokens';

const LINKS = 'remote_auth_identities';
const LEASES = 'remote_auth_leases';
const STORE = 'strapi_core_store_settings';
const mysql = process.env.TEST_DB === 'mysql';

let app: TestStrapi;
let keys: KeyServer;
let rsa: SigningKey;

const knex = () => app.strapi.db.connection;
const subjectOf = (sub: string) => `${keys.origin} ${sub}`;

before(async () => {
  rsa = await createSigningKey('RS256');
  keys = await startKeyServer(rsa);
  app = await startStrapi({ config: { autoCreate: true } });
  app.configure({ autoCreate: true, assertion: { preset: 'oidc', header: 'X-Id-Token', issuer: keys.origin, audience: 'strapi-admin', jwksUrl: keys.jwksUrl } });
});
after(async () => {
  await app?.stop();
  await keys?.close();
});

async function signIn(sub: string, email: string): Promise<TestResponse> {
  const token = await oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person: { email }, claims: { sub } });
  return request(app.origin, '/admin', { headers: { ...BROWSER, 'X-Id-Token': token } });
}

const linksOf = async (subjects: string[]) =>
  (await knex()(LINKS).whereIn('user_id', knex()('admin_users').select('id').whereIn('email', subjects)).select('source', 'subject', 'user_id').orderBy('id')) as Array<{
    source: string;
    subject: string;
    user_id: number;
  }>;

/** Each column's type and nullability (MySQL/MariaDB). */
async function definitions(table: string): Promise<Record<string, string>> {
  const [rows] = (await knex().raw('SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [
    table,
  ])) as [Array<{ name: string; type: string; nullable: string }>];
  return Object.fromEntries(rows.map((row) => [row.name, `${row.type} ${row.nullable === 'YES' ? 'NULL' : 'NOT NULL'}`]));
}

/** The collation of each column (MySQL/MariaDB). */
async function collations(table: string): Promise<Record<string, string | null>> {
  const [rows] = (await knex().raw('SELECT COLUMN_NAME AS name, COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [
    table,
  ])) as [Array<{ name: string; collation: string | null }>];
  return Object.fromEntries(rows.map((row) => [row.name, row.collation]));
}

async function indexColumns(table: string, index: string): Promise<{ unique: boolean; columns: string[] }> {
  const [rows] = (await knex().raw(`SHOW INDEX FROM ${table} WHERE Key_name = ?`, [index])) as [Array<{ Column_name: string; Non_unique: number; Seq_in_index: number }>];
  return { unique: rows.length > 0 && rows.every((row) => Number(row.Non_unique) === 0), columns: rows.sort((a, b) => a.Seq_in_index - b.Seq_in_index).map((row) => row.Column_name) };
}

describe('two subs that differ only in case', () => {
  test('are two people: two accounts, two links, and the first one keeps its address', async () => {
    const victim = { sub: '00uVictimAbC', email: 'victim.case@corp.example' };
    const other = { sub: '00uvictimabc', email: 'mallory.case@corp.example' };
    await assertSignedInAs(app, await signIn(victim.sub, victim.email), victim.email);
    await assertSignedInAs(app, await signIn(other.sub, other.email), other.email);

    const users = (await knex()('admin_users').whereIn('email', [victim.email, other.email]).select('id', 'email').orderBy('id')) as Array<{ id: number; email: string }>;
    assert.deepEqual(
      users.map((user) => user.email),
      [victim.email, other.email],
      'the second sub signed in to the first one\'s account (and e-mail sync rewrote its address)',
    );
    assert.deepEqual(
      (await linksOf([victim.email, other.email])).map(({ source, subject, user_id }) => [source, subject, Number(user_id)]),
      [
        ['assertion', subjectOf(victim.sub), users[0].id],
        ['assertion', subjectOf(other.sub), users[1].id],
      ],
    );
    // Each sub goes on signing in to its own account, whichever signs in first.
    await assertSignedInAs(app, await signIn(other.sub, other.email), other.email);
    await assertSignedInAs(app, await signIn(victim.sub, victim.email), victim.email);
    assert.equal((await knex()('admin_users').where({ id: users[0].id }).first('email')).email, victim.email);
  });
});

describe('the source is part of the identity: ("header", S) and ("assertion", S) are two people', () => {
  /** A "header" link whose subject is exactly what an assertion's "<iss> <sub>" will be (a header value may hold a space). */
  async function headerLinkedAccount(email: string, sub: string): Promise<number> {
    await app.createAdmin({ email, roles: ['strapi-editor'] });
    const id = Number((await knex()('admin_users').where({ email }).first('id')).id);
    const now = new Date();
    await knex()(LINKS).insert({ source: 'header', subject: subjectOf(sub), user_id: id, created_at: now, last_seen_at: now, created_account: false });
    return id;
  }

  test('a signed assertion is not signed in to the account a "header" link with the same subject points at', async () => {
    const victim = await headerLinkedAccount('victim.source@corp.example', 'same-subject-1');
    const res = await signIn('same-subject-1', 'newcomer.source@corp.example');
    await assertSignedInAs(app, res, 'newcomer.source@corp.example');
    const links = (await knex()(LINKS).where({ subject: subjectOf('same-subject-1') }).select('source', 'user_id').orderBy('id')) as Array<{ source: string; user_id: number }>;
    assert.deepEqual(links.map(({ source, user_id }) => [source, Number(user_id) === victim]), [['header', true], ['assertion', false]]);
  });

  test('nor linked by its e-mail to an account held by a "header" identity with the same subject (account-linked-elsewhere)', async () => {
    await headerLinkedAccount('victim.source2@corp.example', 'same-subject-2');
    app.configure({ autoCreate: true, linkByEmailHeader: true, assertion: { preset: 'oidc', header: 'X-Id-Token', issuer: keys.origin, audience: 'strapi-admin', jwksUrl: keys.jwksUrl } });
    try {
      const before = await snapshot(app);
      const token = await oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person: { email: 'victim.source2@corp.example' }, claims: { sub: 'same-subject-2', email_verified: true } });
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'X-Id-Token': token } });
      await assertRefused(app, before, res, 403, 'account-linked-elsewhere');
    } finally {
      app.configure({ autoCreate: true, assertion: { preset: 'oidc', header: 'X-Id-Token', issuer: keys.origin, audience: 'strapi-admin', jwksUrl: keys.jwksUrl } });
    }
  });
});

describe('MySQL/MariaDB: columns that must match exactly', { skip: mysql ? false : 'MySQL/MariaDB only (TEST_DB=mysql)' }, () => {
  test('a new install has them in a binary collation, the unique indexes unchanged', async () => {
    const links = await collations(LINKS);
    assert.match(String(links.source), /_bin$/);
    assert.match(String(links.subject), /_bin$/);
    const leases = await collations(LEASES);
    assert.match(String(leases.name), /_bin$/);
    assert.match(String(leases.holder), /_bin$/);
    assert.deepEqual(await indexColumns(LINKS, 'remote_auth_identities_source_subject_unique'), { unique: true, columns: ['source', 'subject'] });
    assert.deepEqual(await indexColumns(LINKS, 'remote_auth_identities_source_user_unique'), { unique: true, columns: ['source', 'user_id'] });
    assert.deepEqual(await indexColumns(LEASES, 'PRIMARY'), { unique: true, columns: ['name'] });
  });

  test("Strapi's schema sync leaves the collation alone", async () => {
    await app.strapi.db.schema.syncSchema();
    assert.match(String((await collations(LINKS)).subject), /_bin$/);
    assert.match(String((await collations(LEASES)).holder), /_bin$/);
  });

  test('an existing install (tables made with the database default collation) is migrated at boot, its rows kept', async () => {
    // Back to how the tables were before: the database's case-insensitive default, and no record of the migration.
    // Such a table cannot hold two subjects that differ only in case: the first test's second one goes first.
    await knex()(LINKS).where({ subject: subjectOf('00uvictimabc') }).delete();
    await knex().raw(
      `ALTER TABLE ${LINKS} MODIFY source varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL, MODIFY subject varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL`,
    );
    await knex().raw(
      `ALTER TABLE ${LEASES} MODIFY name varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL, MODIFY holder varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL`,
    );
    await knex()(STORE).where({ key: 'plugin_remote-auth_exactMatchVersion' }).delete();
    assert.equal((await collations(LINKS)).subject, 'utf8mb4_unicode_ci');
    const linksBefore = await definitions(LINKS);
    const leasesBefore = await definitions(LEASES);
    const existing = { sub: '00uExistingXy', email: 'existing.case@corp.example' };
    await assertSignedInAs(app, await signIn(existing.sub, existing.email), existing.email);
    const rowsBefore = (await knex()(LINKS).select('source', 'subject', 'user_id').orderBy('id')) as unknown[];

    // Another instance starts on the same database: its boot migrates the tables.
    let next: StrapiProcess | undefined;
    try {
      next = await startStrapi({ mode: 'child', database: app.database, config: { autoCreate: true } });
    } finally {
      await next?.stop();
    }
    const links = await collations(LINKS);
    assert.match(String(links.source), /_bin$/);
    assert.match(String(links.subject), /_bin$/);
    assert.match(String((await collations(LEASES)).name), /_bin$/);
    assert.match(String((await collations(LEASES)).holder), /_bin$/);
    assert.equal(links.subject, 'utf8mb4_bin', 'the column kept its character set');
    assert.deepEqual(await definitions(LINKS), linksBefore, 'a column of the link table lost its type or NOT NULL');
    assert.deepEqual(await definitions(LEASES), leasesBefore, 'a column of the lease table lost its type or NOT NULL');
    assert.equal(linksBefore.subject, 'varchar(255) NOT NULL');
    assert.deepEqual(await knex()(LINKS).select('source', 'subject', 'user_id').orderBy('id'), rowsBefore);
    assert.deepEqual(await indexColumns(LINKS, 'remote_auth_identities_source_subject_unique'), { unique: true, columns: ['source', 'subject'] });

    // The index still refuses an exact duplicate, and no longer a case variant.
    const now = new Date();
    const row = { source: 'assertion', user_id: 999_999, created_at: now, last_seen_at: now };
    await assert.rejects(knex()(LINKS).insert({ ...row, subject: subjectOf(existing.sub) }), /Duplicate entry/);
    await knex()(LINKS).insert({ ...row, subject: subjectOf(existing.sub.toLowerCase()) });
    await knex()(LINKS).where({ user_id: 999_999 }).delete();
    const other = { sub: existing.sub.toLowerCase(), email: 'other.case@corp.example' };
    await assertSignedInAs(app, await signIn(other.sub, other.email), other.email);
    await assertSignedInAs(app, await signIn(existing.sub, existing.email), existing.email);
  });
});
