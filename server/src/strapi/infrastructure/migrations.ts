import type { Core } from '@strapi/strapi';
import { logLine } from '../../pipeline/log-text';

export type Knex = Core.Strapi['db']['connection'];

/**
 * One step of a plugin table's schema. Each says how to tell it is already
 * in place, so instances that boot together and databases restored from
 * backups are both fine. The applied version is also kept in the plugin store.
 */
export interface Migration {
  readonly version: number;
  present(knex: Knex): Promise<boolean>;
  up(knex: Knex): Promise<void>;
  /** Why it could not be applied, in words the operator can act on (absent: just rethrow). */
  explainFailure?(knex: Knex, error: Error): Promise<string>;
}

export interface MigrationList {
  /** Plugin-store key holding the applied version. */
  readonly versionKey: string;
  /** What the log line names, e.g. "identity link table". */
  readonly subject: string;
  readonly migrations: readonly Migration[];
}

/** Brings a plugin table to its latest version; a no-op when it already is. */
export async function runMigrations(strapi: Core.Strapi, { versionKey, subject, migrations }: MigrationList): Promise<void> {
  const knex = strapi.db.connection;
  const store = strapi.store({ type: 'plugin', name: 'remote-auth' });
  const applied = Number((await store.get({ key: versionKey })) ?? 0);
  for (const migration of migrations) {
    if (migration.version <= applied) continue;
    if (!(await migration.present(knex))) {
      try {
        await migration.up(knex);
      } catch (error) {
        // Another instance may have applied it a moment ago.
        if (!(await migration.present(knex))) {
          if (!migration.explainFailure) throw error;
          strapi.log.error(logLine`[remote-auth] ${await migration.explainFailure(knex, error as Error)}`);
          return;
        }
      }
    }
    await store.set({ key: versionKey, value: migration.version });
    strapi.log.info(logLine`[remote-auth] ${subject} at schema version ${migration.version}`);
  }
}
