import type { Core } from '@strapi/strapi';

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

type Knex = Core.Strapi['db']['connection'];

/** Each migration is idempotent; the applied version is kept in the plugin store. */
const migrations: Array<{ version: number; up(knex: Knex): Promise<void> }> = [
  {
    version: 1,
    async up(knex) {
      if (await knex.schema.hasTable(LINKS_TABLE)) return;
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
];

export const LINKS_SCHEMA_VERSION = migrations[migrations.length - 1].version;

/** Brings the table to the current version; a no-op when it already is. Safe when instances boot together. */
export async function migrateLinksTable(strapi: Core.Strapi): Promise<void> {
  const store = strapi.store({ type: 'plugin', name: 'remote-auth' });
  const applied = Number((await store.get({ key: VERSION_KEY })) ?? 0);
  for (const migration of migrations) {
    if (migration.version <= applied) continue;
    try {
      await migration.up(strapi.db.connection);
    } catch (error) {
      // Another instance may have created it a moment ago.
      if (!(await strapi.db.connection.schema.hasTable(LINKS_TABLE))) throw error;
    }
    await store.set({ key: VERSION_KEY, value: migration.version });
    strapi.log.info(`[remote-auth] identity link table at schema version ${migration.version}`);
  }
}

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

  return {
    async find(source: string, subject: string): Promise<Link | null> {
      const row = await table().where({ source, subject }).first('user_id');
      return row ? { userId: Number(row.user_id) } : null;
    },

    /**
     * Claims (source, subject) for `userId` unless another user already holds
     * it; returns the holder. Inside a transaction the caller rolls back when
     * the holder is not the user it created.
     */
    async claim(source: string, subject: string, userId: number, trx: Knex): Promise<number> {
      const now = new Date();
      await table(trx)
        .insert({ source, subject, user_id: userId, created_at: now, last_seen_at: now })
        .onConflict(['source', 'subject'])
        .ignore();
      const query = table(trx).where({ source, subject }).first('user_id');
      const row = await (strapi.db.dialect.client === 'sqlite' ? query : query.forUpdate());
      return Number(row.user_id);
    },

    /** Updates last-seen; never moves an existing link to another user. */
    async record(source: string, subject: string, userId: number | string): Promise<void> {
      const now = new Date();
      await table()
        .insert({ source, subject, user_id: Number(userId), created_at: now, last_seen_at: now })
        .onConflict(['source', 'subject'])
        .merge({ last_seen_at: now });
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
