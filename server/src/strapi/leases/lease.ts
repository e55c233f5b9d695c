import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';

/**
 * A named lease in the database, so background work that must run on one
 * instance at a time (several Strapi instances sharing the database) does:
 * whoever holds an unexpired lease runs; the others skip. Acquiring is one
 * conditional UPDATE — "take it if it is free, expired or already mine" —
 * which every database applies atomically to the row, so two instances can
 * never both see their update succeed (SQLite, PostgreSQL, MySQL/MariaDB).
 * Expiry is stored as epoch milliseconds: no time zone or fractional-second
 * differences between databases. Instances are assumed to agree on the time
 * within a small fraction of the lease's length.
 */
export const LEASES_TABLE = 'remote_auth_leases';

type Knex = Core.Strapi['db']['connection'];

async function ensureTable(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable(LEASES_TABLE)) return;
  try {
    await knex.schema.createTable(LEASES_TABLE, (table) => {
      table.string('name', 64).primary();
      table.string('holder', 64).notNullable();
      table.bigInteger('expires_at').notNullable();
    });
  } catch (error) {
    if (!(await knex.schema.hasTable(LEASES_TABLE))) throw error; // another instance made it a moment ago otherwise
  }
}

export interface Lease {
  /** This instance's holder id (one per process). */
  readonly holder: string;
  /** True when this instance holds `name` until now + ttlMs (taken or renewed). */
  acquire(name: string, ttlMs: number): Promise<boolean>;
  /** Gives `name` up early, if this instance holds it. */
  release(name: string): Promise<void>;
}

export function createLease(strapi: Core.Strapi): Lease {
  const holder = randomUUID();
  const knex = () => strapi.db.connection;
  let ready: Promise<void> | null = null;

  return {
    holder,
    async acquire(name, ttlMs) {
      ready ??= ensureTable(knex()).catch((error) => {
        ready = null;
        throw error;
      });
      await ready;
      const now = Date.now();
      await knex()(LEASES_TABLE).insert({ name, holder: '', expires_at: 0 }).onConflict('name').ignore();
      const updated = await knex()(LEASES_TABLE)
        .where('name', name)
        .andWhere((free) => free.where('holder', holder).orWhere('expires_at', '<=', now))
        .update({ holder, expires_at: now + ttlMs });
      return Number(updated) === 1;
    },
    async release(name) {
      if (!ready) return;
      await knex()(LEASES_TABLE).where({ name, holder }).update({ expires_at: 0 });
    },
  };
}
