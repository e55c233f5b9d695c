import type { Core } from '@strapi/strapi';
import { runMigrations, type Knex, type Migration } from '../infrastructure/migrations';

/**
 * The plugin's own table: which proxy identity (source + subject) signed in
 * as which admin user. (source, subject) carries a real unique index —
 * Strapi's "unique" attribute option is only checked by its services, not by
 * the database — so concurrent first logins, on any number of instances,
 * agree on exactly one admin user.
 */
export const LINKS_TABLE = 'remote_auth_identities';
/** Identities read from the header; signed assertions will get sources of their own. */
export const LINK_SOURCE = 'header';
const VERSION_KEY = 'schemaVersion';
/** Migration 4: whether the plugin created the account (true) or linked an existing one. */
export const CREATED_COLUMN = 'created_account';
const USER_INDEX = 'remote_auth_identities_source_user_unique';

const migrations: Migration[] = [
  {
    version: 1,
    present: (knex) => knex.schema.hasTable(LINKS_TABLE),
    async up(knex) {
      await knex.schema.createTable(LINKS_TABLE, (table) => {
        table.increments('id').primary();
        table.string('source', 64).notNullable();
        table.string('subject', 255).notNullable();
        table.integer('user_id').notNullable();
        table.timestamp('created_at').notNullable();
        table.timestamp('last_seen_at').notNullable();
        table.unique(['source', 'subject'], { indexName: 'remote_auth_identities_source_subject_unique' });
        table.index(['user_id'], 'remote_auth_identities_user_id_index');
      });
    },
  },
  {
    // One identity per source per account (T18): two identities racing to
    // link the same existing account by e-mail cannot both win.
    version: 2,
    present: (knex) => hasIndex(knex, USER_INDEX),
    async up(knex) {
      await knex.schema.alterTable(LINKS_TABLE, (table) => {
        table.unique(['source', 'user_id'], { indexName: USER_INDEX });
      });
    },
    async explainFailure(knex, error) {
      const shared = (await knex(LINKS_TABLE)
        .select('user_id', 'source', 'subject')
        .whereIn(['source', 'user_id'], knex(LINKS_TABLE).select('source', 'user_id').groupBy('source', 'user_id').havingRaw('count(*) > 1'))
        .orderBy('user_id')) as Array<{ user_id: number; source: string; subject: string }>;
      return (
        `could not enforce one identity per admin account (${error.message}); ` +
        `accounts linked to several identities: ${shared.map((r) => `user ${r.user_id} ← ${r.source}:${r.subject}`).join(', ') || 'none found'}. ` +
        `Delete the wrong rows from ${LINKS_TABLE}; the plugin tries again at the next start and refuses new shared links meanwhile`
      );
    },
  },
  {
    // Whether the plugin created the account (true) or linked an existing one
    // (false): deprovisioning only ever deactivates accounts the plugin created.
    // Backfill (see backfillCreatedAccount): an account with a password was not
    // created by the plugin, which never sets one; an account without a
    // password counts as created only when its user row was made within a
    // minute before its link (provisioning writes both in one transaction).
    // Everything else counts as linked, so the job never touches it.
    version: 4,
    present: (knex) => knex.schema.hasColumn(LINKS_TABLE, CREATED_COLUMN),
    async up(knex) {
      await knex.schema.alterTable(LINKS_TABLE, (table) => {
        table.boolean(CREATED_COLUMN).notNullable().defaultTo(false);
      });
      await backfillCreatedAccount(knex);
    },
  },
];

/** Marks, among existing links, those whose account the plugin most probably created (rule above migration 4). */
async function backfillCreatedAccount(knex: Knex): Promise<void> {
  const CREATION_WINDOW_MS = 60_000;
  let after = 0;
  for (;;) {
    const rows = (await knex(`${LINKS_TABLE} as l`)
      .join('admin_users as u', 'u.id', 'l.user_id')
      .where('l.id', '>', after)
      .orderBy('l.id')
      .limit(1000)
      .select('l.id', 'l.created_at as linked', 'u.created_at as made', 'u.password')) as Array<{ id: number; linked: unknown; made: unknown; password: string | null }>;
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1].id);
    const created = rows
      .filter(({ linked, made, password }) => {
        if (password) return false;
        const gap = new Date(linked as string).getTime() - new Date(made as string).getTime();
        return Number.isFinite(gap) && gap >= -CREATION_WINDOW_MS && gap <= CREATION_WINDOW_MS;
      })
      .map((row) => row.id);
    if (created.length > 0) await knex(LINKS_TABLE).whereIn('id', created).update({ [CREATED_COLUMN]: true });
  }
}

async function hasIndex(knex: Knex, name: string): Promise<boolean> {
  const client = String(knex.client.config.client);
  if (client.includes('sqlite')) {
    return ((await knex.raw(`PRAGMA index_list(${LINKS_TABLE})`)) as Array<{ name: string }>).some((row) => row.name === name);
  }
  if (client === 'pg' || client.includes('postgres')) {
    return ((await knex.raw('SELECT 1 FROM pg_indexes WHERE indexname = ?', [name])) as { rows: unknown[] }).rows.length > 0;
  }
  return ((await knex.raw(`SHOW INDEX FROM ${LINKS_TABLE} WHERE Key_name = ?`, [name])) as [unknown[]])[0].length > 0;
}

export const LINKS_SCHEMA_VERSION = migrations[migrations.length - 1].version;
/** How many migrations bring an empty database to LINKS_SCHEMA_VERSION (version numbers are reserved per branch and may skip). */
export const LINKS_MIGRATION_COUNT = migrations.length;

/** Brings the table to the current version; a no-op when it already is. Safe when instances boot together. */
export async function migrateLinksTable(strapi: Core.Strapi): Promise<void> {
  await runMigrations(strapi, { versionKey: VERSION_KEY, subject: 'identity link table', migrations });
}

const UNIQUE_VIOLATION = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT', 'ER_DUP_ENTRY']);
const isUniqueViolation = (error: unknown): boolean => UNIQUE_VIOLATION.has(String((error as { code?: unknown })?.code ?? ''));

export interface Link {
  readonly userId: number;
}

/** An identity (source + subject) as stored in the link table. */
export interface LinkedIdentity {
  readonly source: string;
  readonly subject: string;
}

export function createIdentityLinks(strapi: Core.Strapi) {
  const knex = () => strapi.db.connection;
  const table = (trx?: Knex) => (trx ?? knex())(LINKS_TABLE);

  /**
   * Inserts the row unless (source, subject) is taken, and says whether it did, in one statement:
   * `ON CONFLICT DO NOTHING RETURNING id` on PostgreSQL and SQLite, `INSERT IGNORE` on MySQL and
   * MariaDB, whose insert id is 0 when the row was skipped. While another transaction holds an
   * uncommitted row with the same key, the database makes this statement wait for it.
   */
  async function inserted(trx: Knex, row: Record<string, unknown>): Promise<boolean> {
    const insert = table(trx).insert(row).onConflict(['source', 'subject']).ignore();
    if (strapi.db.dialect.client === 'mysql') return Number(((await insert) as unknown[])[0]) > 0;
    return ((await insert.returning('id')) as unknown[]).length > 0;
  }

  return {
    async find(source: string, subject: string): Promise<Link | null> {
      const rows = (await this.holderQuery(source, subject)) as Array<{ user_id: number | string }>;
      return rows.length > 0 ? { userId: Number(rows[0].user_id) } : null;
    },

    /** The query `find` runs (one column, `user_id`, at most one row), also as a subquery; `trx`: inside a transaction. */
    holderQuery(source: string, subject: string, trx?: Knex) {
      return table(trx).where({ source, subject }).select('user_id').limit(1);
    },

    /**
     * Claims (source, subject) for `userId` unless another user already holds
     * it; returns the holder, or null when the account already holds another
     * identity of this source (the second unique index refused the row).
     * Inside a transaction the caller rolls back when the holder is not the
     * user it created.
     */
    async claim(source: string, subject: string, userId: number, trx: Knex, created = false): Promise<number | null> {
      const now = new Date();
      try {
        if (await inserted(trx, { source, subject, user_id: userId, created_at: now, last_seen_at: now, [CREATED_COLUMN]: created })) {
          return Number(userId);
        }
      } catch (error) {
        if (isUniqueViolation(error)) return null; // PostgreSQL, SQLite: (source, user_id) is taken
        throw error;
      }
      // Not inserted: the database waited for whoever wrote (source, subject) first to commit.
      const query = this.holderQuery(source, subject, trx);
      const rows = (await (strapi.db.dialect.client === 'sqlite' ? query : query.forUpdate())) as Array<{ user_id: number | string }>;
      return rows.length > 0 ? Number(rows[0].user_id) : null; // MySQL's INSERT IGNORE skips a row taken by (source, user_id) too
    },

    /**
     * Links an identity to an existing account (first sign-in by e-mail).
     * False when the account is already linked to another identity of this
     * source — decided by the unique index, so two identities racing for the
     * same account cannot both win (T18).
     */
    async linkAccount(source: string, subject: string, userId: number): Promise<boolean> {
      const holder = await knex().transaction((trx) => this.claim(source, subject, userId, trx as unknown as Knex));
      if (holder !== null) return holder === Number(userId);
      // The (source, user_id) index refused the row. When the same identity linked the same account
      // at the same moment (another instance), PostgreSQL can report that index's conflict instead of
      // the (source, subject) one it was told to skip: the row it found is ours, then.
      return (await this.find(source, subject))?.userId === Number(userId);
    },

    /** Removes the link of `subject` to `userId` (a sign-in that linked it and then failed); any other link stays. */
    async unlink(source: string, subject: string, userId: number): Promise<void> {
      await table().where({ source, subject, user_id: Number(userId) }).delete();
    },

    /** Updates when the identity was last seen; never creates or moves a link. */
    async record(source: string, subject: string): Promise<void> {
      await table().where({ source, subject }).update({ last_seen_at: new Date() });
    },

    /**
     * The identities linked to an admin user. An account is signed in by the
     * identity linked to it and by no other (T18): a user with any link here
     * is "linked", and another identity may never be linked to it by e-mail.
     */
    async identitiesOf(userId: number | string, trx?: Knex): Promise<LinkedIdentity[]> {
      const rows = (await table(trx).where({ user_id: Number(userId) }).select('source', 'subject').orderBy('id')) as LinkedIdentity[];
      return rows.map(({ source, subject }) => ({ source, subject }));
    },

    async hasIdentity(userId: number | string): Promise<boolean> {
      return (await table().where({ user_id: Number(userId) }).first('id')) !== undefined;
    },

    /** A deleted admin user's links go with it: the identity is free to be provisioned afresh. */
    async forgetUser(userId: number | string): Promise<void> {
      await knex()(LINKS_TABLE).where({ user_id: Number(userId) }).delete();
    },

    async count(): Promise<number> {
      const row = await knex()(LINKS_TABLE).count({ n: '*' }).first();
      return Number(row?.n ?? 0);
    },
  };
}

export type IdentityLinks = ReturnType<typeof createIdentityLinks>;
