import type { Core } from '@strapi/strapi';
import { isMysql } from '../infrastructure/exact-match';
import { runMigrations, type Knex, type Migration } from '../infrastructure/migrations';

/**
 * A lock on an e-mail address as Strapi sees it, held until the transaction
 * that took it ends.
 *
 * Strapi declares no unique index on `admin_users.email`, so two transactions
 * — on two instances, or two connections of one — could each find an address
 * free and each write it: two new accounts, or two accounts synced onto one
 * address. Every write of an address the plugin makes (a new account, e-mail
 * sync) looks the address up, takes this lock, and writes: the second writer
 * waits for the first to commit, then looks the address up again and finds
 * its account.
 *
 * The lock is a row of `remote_auth_address_locks`, keyed by the SHA-256 of
 * the lowercased address and inserted or updated (`holds + 1`) by the
 * transaction's first statement, which keeps the row locked until it ends. One
 * row per address ever written, 32 bytes and a count. SQLite takes none: one
 * process writes through one connection, one transaction at a time.
 *
 * `hold` says whether this transaction made the row (`first`). Then no
 * transaction of the plugin has ever written this address (a transaction that
 * rolls back takes its row with it): a look-up made before the lock that
 * found the address free still holds, and the look-up again can be skipped.
 * Writes Strapi makes itself (Settings → Users, an invitation) take no lock,
 * so between any look-up and the write they can always come in; the lock
 * shuts out the plugin's own writers, on every instance.
 *
 * The key is the address lowercased, which is how Strapi's own look-up
 * (`lower(email) = lower(?)`) compares the addresses the plugin writes: they
 * are ASCII (claim.ts), and on ASCII MySQL's and MariaDB's case-insensitive
 * collations fold nothing but case.
 *
 * The lock must be a transaction's first statement: on MySQL/MariaDB
 * (repeatable read) the transaction's snapshot starts with its first plain
 * read, which then sees what the previous holder committed.
 */
export const ADDRESS_LOCKS_TABLE = 'remote_auth_address_locks';

const isSqlite = (knex: Knex): boolean => String(knex.client.config.client).includes('sqlite');

const migrations: Migration[] = [
  {
    // MySQL and MariaDB only (PostgreSQL took an advisory lock then).
    version: 1,
    present: async (knex) => !isMysql(knex) || (await knex.schema.hasTable(ADDRESS_LOCKS_TABLE)),
    async up(knex) {
      await knex.schema.createTable(ADDRESS_LOCKS_TABLE, (table) => {
        table.binary('address', 32).primary();
      });
    },
  },
  {
    // Every database with several writers, and how many transactions held each address (1 for the rows of version 1: held before).
    version: 2,
    present: async (knex) => isSqlite(knex) || ((await knex.schema.hasTable(ADDRESS_LOCKS_TABLE)) && (await knex.schema.hasColumn(ADDRESS_LOCKS_TABLE, 'holds'))),
    async up(knex) {
      if (await knex.schema.hasTable(ADDRESS_LOCKS_TABLE)) {
        await knex.schema.alterTable(ADDRESS_LOCKS_TABLE, (table) => {
          table.integer('holds').notNullable().defaultTo(1);
        });
        return;
      }
      await knex.schema.createTable(ADDRESS_LOCKS_TABLE, (table) => {
        table.binary('address', 32).primary();
        table.integer('holds').notNullable().defaultTo(1);
      });
    },
  },
];

export function createAddressLock(strapi: Core.Strapi) {
  return {
    /** Boot: the lock table (not on SQLite). */
    prepare: () => runMigrations(strapi, { versionKey: 'addressLocksVersion', subject: 'address lock table', migrations }),

    /**
     * Takes the lock on `email` inside `trx`, waiting while another transaction holds it; true
     * when this transaction is the first ever to hold it (see above), false otherwise and on SQLite.
     */
    async hold(email: string, trx: Knex): Promise<boolean> {
      const client = strapi.db.dialect.client;
      if (client === 'postgres') {
        const { rows } = (await trx.raw(
          'INSERT INTO ?? AS held (address, holds) VALUES (sha256(convert_to(lower(?), \'UTF8\')), 1) ON CONFLICT (address) DO UPDATE SET holds = held.holds + 1 RETURNING held.holds',
          [ADDRESS_LOCKS_TABLE, email],
        )) as { rows: Array<{ holds: number | string }> };
        return Number(rows[0].holds) === 1;
      }
      if (client === 'mysql') {
        // Affected rows: 1 for a row inserted, 2 for a row updated (holds changes, so never 0 or 1 then).
        const [result] = (await trx.raw('INSERT INTO ?? (address, holds) VALUES (UNHEX(SHA2(lower(?), 256)), 1) ON DUPLICATE KEY UPDATE holds = holds + 1', [
          ADDRESS_LOCKS_TABLE,
          email,
        ])) as [{ affectedRows: number }];
        return result.affectedRows === 1;
      }
      return false;
    },
  };
}

export type AddressLock = ReturnType<typeof createAddressLock>;
