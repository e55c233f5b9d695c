/**
 * The migration that gives columns a binary collation (server/src/strapi/infrastructure/exact-match.ts):
 * on MySQL/MariaDB (knex clients mysql and mysql2) it rewrites each column with its own type,
 * character set and nullability and the character set's `_bin` collation, only the columns not
 * binary yet; on SQLite and PostgreSQL it asks nothing and changes nothing. Against a running
 * MySQL: tests/integration/exact-identities.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import createKnex from 'knex';
import { exactMatchColumns, isMysql } from '../../server/src/strapi/infrastructure/exact-match';
import type { Knex } from '../../server/src/strapi/infrastructure/migrations';

interface Row {
  name: string;
  type: string;
  nullable: 'YES' | 'NO';
  charset: string | null;
  collation: string | null;
}

/** A knex of `client` that answers information_schema with `rows` and records every other statement, as SQL text. */
function fakeKnex(client: string, rows: Row[]): { knex: Knex; statements: string[] } {
  const real = createKnex({ client, useNullAsDefault: true });
  const statements: string[] = [];
  const knex = {
    client: real.client,
    async raw(sql: string, bindings: unknown[] = []) {
      if (/information_schema\.COLUMNS/.test(sql)) {
        statements.push('information_schema');
        const wanted = new Set(bindings.slice(1));
        return [rows.filter((row) => wanted.has(row.name))];
      }
      statements.push(real.raw(sql, bindings as never).toString());
      return [];
    },
  } as unknown as Knex;
  return { knex, statements };
}

const CI = { charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' };

test('MySQL and MariaDB, through either knex client; nothing else', () => {
  for (const client of ['mysql', 'mysql2']) assert.equal(isMysql(createKnex({ client }) as unknown as Knex), true, client);
  for (const client of ['pg', 'postgres', 'better-sqlite3', 'sqlite3']) {
    assert.equal(isMysql(createKnex({ client, useNullAsDefault: true }) as unknown as Knex), false, client);
  }
});

test('SQLite and PostgreSQL: present at once, without a query', async () => {
  for (const client of ['pg', 'better-sqlite3']) {
    const { knex, statements } = fakeKnex(client, []);
    assert.equal(await exactMatchColumns(1, 't', ['a']).present(knex), true, client);
    assert.deepEqual(statements, [], client);
  }
});

test('MySQL: each column rewritten with its own type, character set and nullability, and the binary collation', async () => {
  const { knex, statements } = fakeKnex('mysql2', [
    { name: 'source', type: 'varchar(64)', nullable: 'NO', ...CI },
    { name: 'subject', type: 'varchar(255)', nullable: 'NO', ...CI },
    { name: 'note', type: 'varchar(32)', nullable: 'YES', charset: 'utf8mb3', collation: 'utf8mb3_general_ci' },
  ]);
  const migration = exactMatchColumns(7, 'links', ['source', 'subject', 'note']);
  assert.equal(migration.version, 7);
  assert.equal(await migration.present(knex), false);
  await migration.up(knex);
  assert.deepEqual(statements.filter((s) => s !== 'information_schema'), [
    'ALTER TABLE `links` MODIFY `source` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, ' +
      'MODIFY `subject` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, ' +
      'MODIFY `note` varchar(32) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin NULL',
  ]);
});

test('MySQL: a column already binary is left alone; all binary is present, and up() changes nothing', async () => {
  const mixed = fakeKnex('mysql2', [
    { name: 'source', type: 'varchar(64)', nullable: 'NO', charset: 'utf8mb4', collation: 'utf8mb4_nopad_bin' },
    { name: 'subject', type: 'varchar(255)', nullable: 'NO', ...CI },
  ]);
  const migration = exactMatchColumns(1, 'links', ['source', 'subject']);
  assert.equal(await migration.present(mixed.knex), false);
  await migration.up(mixed.knex);
  assert.deepEqual(mixed.statements.filter((s) => s !== 'information_schema'), [
    'ALTER TABLE `links` MODIFY `subject` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
  ]);

  const done = fakeKnex('mysql2', [
    { name: 'source', type: 'varchar(64)', nullable: 'NO', charset: 'utf8mb4', collation: 'utf8mb4_bin' },
    { name: 'subject', type: 'varchar(255)', nullable: 'NO', charset: 'utf8mb4', collation: 'utf8mb4_bin' },
  ]);
  assert.equal(await migration.present(done.knex), true);
  await migration.up(done.knex);
  assert.deepEqual(done.statements.filter((s) => s !== 'information_schema'), []);
});

test('MySQL: a missing column, or one that is not text, stops the migration before any change', async () => {
  const missing = fakeKnex('mysql2', [{ name: 'source', type: 'varchar(64)', nullable: 'NO', ...CI }]);
  await assert.rejects(exactMatchColumns(1, 'links', ['source', 'subject']).up(missing.knex), /links\.subject is not a text column/);
  const numeric = fakeKnex('mysql2', [{ name: 'id', type: 'int(11)', nullable: 'NO', charset: null, collation: null }]);
  await assert.rejects(exactMatchColumns(1, 'links', ['id']).present(numeric.knex), /links\.id is not a text column/);
  for (const statements of [missing.statements, numeric.statements]) assert.deepEqual(statements.filter((s) => s !== 'information_schema'), []);
});
