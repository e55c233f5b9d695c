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
 * address. The plugin's unique e-mail index prevents that (email-lookup.ts);
 * where it cannot be made (two admin users already share an address), every
 * write of an address the plugin makes (a new account, e-mail sync) takes this
 * lock first, then looks the address up, then writes: the second writer waits
 * for the first to commit and finds its account.
 *
 * The key is the address lowercased, which is how Strapi's own look-up
 * (`lower(email) = lower(?)`) compares the addresses the plugin writes: they
 * are ASCII (claim.ts), and on ASCII MySQL's and MariaDB's case-insensitive
 * collations fold nothing but case.
 * - PostgreSQL: a transaction-level advisory lock on `hashtext(lower(address))`
 *   (nothing is written; a hash collision only makes two sign-ins wait in turn);
 * - MySQL, MariaDB (no transaction-level named locks): a row of
 *   `remote_auth_address_locks`, keyed by the SHA-256 of the lowercased address,
 *   inserted or touched by `INSERT … ON DUPLICATE KEY UPDATE`, which holds the
 *   row's lock until commit. One 32-byte row per address ever written;
 * - SQLite: nothing. One process writes through one connection, one
 *   transaction at a time.
 *
 * The lock must be a transaction's first statement: on MySQL/MariaDB
 * (repeatable read) the transaction's snapshot starts with its first plain
 * read, which then sees what the previous holder committed.
 */
export const ADDRESS_LOCKS_TABLE = 'remote_auth_address_locks';
/** First key of PostgreSQL's two-key advisory locks taken here ("ra" + 1): apart from other users of advisory locks. */
const PG_LOCK_SPACE = 0x7261_0001;

const migrations: Migration[] = [
  {
    version: 1,
    present: async (knex) => !isMysql(knex) || (await knex.schema.hasTable(ADDRESS_LOCKS_TABLE)),
    async up(knex) {
      await knex.schema.createTable(ADDRESS_LOCKS_TABLE, (table) => {
        table.binary('address', 32).primary();
      });
    },
  },
];

export function createAddressLock(strapi: Core.Strapi) {
  return {
    /** Boot: the lock table (MySQL/MariaDB only). */
    prepare: () => runMigrations(strapi, { versionKey: 'addressLocksVersion', subject: 'address lock table', migrations }),

    /** Takes the lock on `email` inside `trx`, waiting while another transaction holds it. */
    async hold(email: string, trx: Knex): Promise<void> {
      const client = strapi.db.dialect.client;
      if (client === 'postgres') {
        await trx.raw('SELECT pg_advisory_xact_lock(?, hashtext(lower(?)))', [PG_LOCK_SPACE, email]);
      } else if (client === 'mysql') {
        await trx.raw('INSERT INTO ?? (address) VALUES (UNHEX(SHA2(lower(?), 256))) ON DUPLICATE KEY UPDATE address = address', [ADDRESS_LOCKS_TABLE, email]);
      }
    },
  };
}

export type AddressLock = ReturnType<typeof createAddressLock>;
