/**
 * The Strapi processes of a bench run, by role, each on a database of its own.
 *
 * Every process of a comparison between two processes has the same history
 * (same set-up, then only that comparison), so neither side is better warmed
 * up by earlier benches: B1 runs first on `strict` and `off`, B5 has
 * processes of its own. Two identical Strapi processes can differ by several
 * per cent for the life of the process (JIT decisions, memory layout), so in
 * full mode B1 and B5 use three processes ("forks") per side and cycle through
 * them; B2 and B3 compare within one process.
 */
import { createTestDatabase, type DatabaseKind, type TestDatabase } from '../../tests/harness/database';
import { PERSISTENT, STRICT, type Server } from './bench';
import { startStrapi, type ServerProcess } from './processes';
import { call, passwordToken, registerAdmin, seedArticles } from './setup';

export type Role = 'strict' | 'off' | 'b5Strict' | 'b5Persistent' | 'provision' | 'b6' | 'userBase';

export const ROLES: Record<Role, { name: string; config?: Record<string, unknown>; pluginEnabled: boolean; articles: boolean; env?: Record<string, string> }> = {
  strict: { name: 'strapi-plugin-strict', config: STRICT, pluginEnabled: true, articles: true },
  off: { name: 'strapi-plugin-off', pluginEnabled: false, articles: true },
  b5Strict: { name: 'strapi-b5-strict', config: STRICT, pluginEnabled: true, articles: false },
  b5Persistent: { name: 'strapi-b5-persistent', config: PERSISTENT, pluginEnabled: true, articles: false },
  // REMOTE_AUTH_BENCH_CEILING: B4's anchor route (tests/fixture-app/src/bench-ceiling.js), in this process only.
  provision: { name: 'strapi-b4-provision', config: STRICT, pluginEnabled: true, articles: false, env: { REMOTE_AUTH_BENCH_CEILING: '1' } },
  // B6 switches `assertion` through the settings API between rounds: not pinned here.
  b6: { name: 'strapi-b6-assertions', config: STRICT, pluginEnabled: true, articles: false },
  userBase: { name: 'strapi-b7-users', config: STRICT, pluginEnabled: true, articles: false },
};

/**
 * Connections per process on PostgreSQL and MySQL/MariaDB: a full run boots 18 processes on one
 * database server, and 18 × 10 (the fixture app's default) is more than PostgreSQL's default
 * max_connections (100). B4's process keeps 10: its first sign-ins are the load on the database.
 */
const POOL_MAX: Partial<Record<Role, number>> = { provision: 10 };
const POOL_MAX_OTHERS = 4;

/** Everything a run started, stopped and dropped by its clean-up. */
export interface Resources {
  readonly db: DatabaseKind;
  readonly logDir: string;
  readonly processes: ServerProcess[];
  readonly databases: TestDatabase[];
}

export async function bootServer(resources: Resources, role: Role, fork = 1, cpuProfile?: { dir: string; name: string }): Promise<Server> {
  const spec = ROLES[role];
  const database = await createTestDatabase(resources.db);
  resources.databases.push(database);
  const proc = await startStrapi({
    name: `${spec.name}${fork > 1 ? `-${fork}` : ''}${cpuProfile ? '-profiled' : ''}`,
    database,
    config: spec.config,
    pluginEnabled: spec.pluginEnabled,
    logDir: resources.logDir,
    cpuProfile,
    env: { ...(resources.db !== 'sqlite' && { DATABASE_POOL_MAX: String(POOL_MAX[role] ?? POOL_MAX_OTHERS) }), ...spec.env },
  });
  resources.processes.push(proc);
  await registerAdmin(proc);
  // The plugin is really on (or really off) in this process.
  await call(proc, '/remote-auth/status', { expect: spec.pluginEnabled ? 200 : 404 });
  if (spec.articles) await seedArticles(proc, await passwordToken(proc));
  return { proc, database };
}

/** Boots at most two at a time (two cores): faster than one by one, no thrashing. */
export async function bootAll(resources: Resources, wanted: Array<{ role: Role; forks: number }>): Promise<Partial<Record<Role, Server[]>>> {
  const servers: Partial<Record<Role, Server[]>> = {};
  const queue = wanted.flatMap(({ role, forks }) => Array.from({ length: forks }, (_, i) => ({ role, fork: i + 1 })));
  let failed = false;
  // allSettled: a failed boot must not leave the other one starting unseen while we clean up.
  const results = await Promise.allSettled(
    [0, 1].map(async () => {
      for (let next = queue.shift(); next && !failed; next = queue.shift()) {
        try {
          (servers[next.role] ??= [])[next.fork - 1] = await bootServer(resources, next.role, next.fork);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return servers;
}

export async function cleanUp(resources: Resources): Promise<void> {
  await Promise.all(resources.processes.map((p) => p.stop().catch(() => undefined)));
  for (const db of resources.databases) await db.drop().catch((e: Error) => console.error(`bench: could not drop a database: ${e.message}`));
}
