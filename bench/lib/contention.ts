/** CPU used by everything else on the machine while we measured: other work perturbs the figures. */
import os from 'node:os';
import type { DatabaseKind } from '../../tests/harness/database';
import { cpuSecondsOfCommands, machineCpuSeconds, type ServerProcess } from './processes';

const DATABASE_SERVERS = ['postgres', 'mariadbd', 'mysqld'];

export function cpuSnapshot(db: DatabaseKind, processes: readonly ServerProcess[]) {
  const machine = machineCpuSeconds();
  const own = process.cpuUsage();
  const children = processes.reduce((sum, p) => sum + (p.cpuSeconds() ?? 0), 0);
  const database = db === 'sqlite' ? 0 : cpuSecondsOfCommands(DATABASE_SERVERS);
  return machine && { ...machine, ours: (own.user + own.system) / 1e6 + children, database };
}

export function foreignCpu(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>) {
  if (!before || !after) return null;
  const total = after.total - before.total;
  const busy = after.busy - before.busy;
  const ours = after.ours - before.ours;
  const database = Math.max(0, after.database - before.database);
  const round = (n: number) => Math.round(n * 1000) / 10;
  return {
    windowSeconds: Math.round((total / os.cpus().length) * 10) / 10,
    ourSharePct: round(ours / total),
    databaseServerSharePct: round(database / total),
    otherSharePct: round(Math.max(0, busy - ours - database) / total),
    stealPct: round((after.steal - before.steal) / total),
  };
}
