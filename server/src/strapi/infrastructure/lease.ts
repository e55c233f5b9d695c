import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { createClock, type Clock } from './clock';
import { INSTANCE_ID } from './instance-id';

/** One row per named job that only one instance may run at a time (created by the activity tables' migration, version 2). */
export const LEASES_TABLE = 'remote_auth_leases';

/** This process, as a lease holder: host and pid for the operator, a random tail so a restarted process is another holder. */
export const LEASE_HOLDER = `${INSTANCE_ID.slice(0, 50)}:${randomUUID().slice(0, 8)}`;

/**
 * A lease on a named job in a table every instance shares: whoever holds an
 * unexpired lease runs the job, everyone else skips it. Taken with one
 * conditional UPDATE (the row exists first, inserted-or-ignored), which the
 * database serialises on the row: of instances racing for an expired lease,
 * exactly one sees its UPDATE change a row — on SQLite, PostgreSQL and MariaDB
 * alike. Nothing is ever released early: the lease simply expires.
 */
export function createLeases(strapi: Core.Strapi, holder = LEASE_HOLDER, clock: Clock = createClock()) {
  const knex = () => strapi.db.connection;
  return {
    holder,

    /** True when this instance holds `name` for the next `ttlMs` (taken now, or renewed). */
    async acquire(name: string, ttlMs: number): Promise<boolean> {
      const now = clock.now();
      await knex()(LEASES_TABLE).insert({ name, holder: '', expires_at: 0 }).onConflict('name').ignore();
      const changed = await knex()(LEASES_TABLE)
        .where({ name })
        .andWhere((query) => query.where('expires_at', '<', now).orWhere({ holder }))
        .update({ holder, expires_at: now + ttlMs });
      return Number(changed) === 1;
    },

    async holderOf(name: string): Promise<{ holder: string; expiresAt: number } | null> {
      const row = await knex()(LEASES_TABLE).where({ name }).first('holder', 'expires_at');
      return row ? { holder: String(row.holder), expiresAt: Number(row.expires_at) } : null;
    },
  };
}

export type Leases = ReturnType<typeof createLeases>;
