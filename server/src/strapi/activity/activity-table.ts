import type { Core } from '@strapi/strapi';
import { LEASES_TABLE } from '../infrastructure/lease';
import { runMigrations, type Migration } from '../infrastructure/migrations';

/**
 * The plugin's own tables for sign-in activity: one row per event, and a
 * lease row per background job that only one instance may run at a time
 * (retention pruning). Versioned separately from the identity link table.
 */
export const ACTIVITY_TABLE = 'remote_auth_activity';
const VERSION_KEY = 'activitySchemaVersion';

const migrations: Migration[] = [
  {
    version: 1,
    present: (knex) => knex.schema.hasTable(ACTIVITY_TABLE),
    async up(knex) {
      await knex.schema.createTable(ACTIVITY_TABLE, (table) => {
        table.increments('id').primary();
        // Milliseconds since the epoch: compared the same way on every database, no time zone.
        table.bigInteger('at').notNullable();
        // The UTC day (YYYY-MM-DD): per-day counts without dialect-specific date functions.
        table.string('day', 10).notNullable();
        table.string('kind', 32).notNullable();
        table.string('reason', 64).nullable();
        table.integer('user_id').nullable();
        table.string('identity', 255).nullable();
        table.string('peer', 64).nullable();
        table.string('source', 64).nullable();
        table.text('details').nullable();
        table.string('instance', 64).nullable();
        table.index(['at'], 'remote_auth_activity_at_index');
        table.index(['identity', 'at'], 'remote_auth_activity_identity_index');
        table.index(['user_id', 'at'], 'remote_auth_activity_user_index');
        table.index(['day', 'kind'], 'remote_auth_activity_day_kind_index');
      });
    },
  },
  {
    version: 2,
    present: (knex) => knex.schema.hasTable(LEASES_TABLE),
    async up(knex) {
      await knex.schema.createTable(LEASES_TABLE, (table) => {
        table.string('name', 64).primary();
        table.string('holder', 64).notNullable();
        table.bigInteger('expires_at').notNullable();
      });
    },
  },
];

export const ACTIVITY_SCHEMA_VERSION = migrations[migrations.length - 1].version;

/** Brings the activity tables to the current version; a no-op when they already are. Safe when instances boot together. */
export async function migrateActivityTables(strapi: Core.Strapi): Promise<void> {
  await runMigrations(strapi, { versionKey: VERSION_KEY, subject: 'activity tables', migrations });
}
