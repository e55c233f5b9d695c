import type { Core } from '@strapi/strapi';

/**
 * The plugin's own table: which proxy identity signed in as which admin user.
 * (source, subject) carries a real unique index — Strapi's "unique" attribute
 * option is only checked by its services, not by the database.
 */
export const LINKS_TABLE = 'remote_auth_identities';

type Knex = Core.Strapi['db']['connection'];

export async function ensureLinksTable(knex: Knex): Promise<void> {
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
}

export function createIdentityLinks(strapi: Core.Strapi) {
  const knex = () => strapi.db.connection;
  return {
    /** Records (or refreshes) that `subject` signed in as admin user `userId`. */
    async record(source: string, subject: string, userId: number | string): Promise<void> {
      const now = new Date();
      await knex()(LINKS_TABLE)
        .insert({ source, subject, user_id: Number(userId), created_at: now, last_seen_at: now })
        .onConflict(['source', 'subject'])
        .merge({ user_id: Number(userId), last_seen_at: now });
    },

    async hasIdentity(userId: number | string): Promise<boolean> {
      const row = await knex()(LINKS_TABLE).where({ user_id: Number(userId) }).first('id');
      return row !== undefined;
    },
  };
}

export type IdentityLinks = ReturnType<typeof createIdentityLinks>;
