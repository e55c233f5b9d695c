import type { Core } from '@strapi/strapi';
import { exactMatchColumns } from '../infrastructure/exact-match';
import { LEASES_TABLE } from '../infrastructure/lease';
import { runMigrations, type Migration } from '../infrastructure/migrations';
import { LINKS_TABLE } from './identity-links';

/**
 * The plugin's columns whose values must match exactly, made to on MySQL and
 * MariaDB (see exact-match.ts; nothing to do on SQLite and PostgreSQL):
 * - an identity link's source and subject (T18): a signed assertion's subject
 *   "<iss> <sub>" keeps its case, and `sub` "00uAbC" is not `sub` "00uabc";
 * - a lease's name and holder: an instance renews only its own lease.
 * Versioned under a key of its own; runs after the tables' own migrations,
 * which create them.
 */
const VERSION_KEY = 'exactMatchVersion';

const migrations: Migration[] = [exactMatchColumns(1, LINKS_TABLE, ['source', 'subject']), exactMatchColumns(2, LEASES_TABLE, ['name', 'holder'])];

/** Brings the columns to exact matching; a no-op when they already are. Safe when instances boot together. */
export async function migrateExactMatch(strapi: Core.Strapi): Promise<void> {
  await runMigrations(strapi, { versionKey: VERSION_KEY, subject: 'exact-match columns', migrations });
}
