import { HEADER, type BenchContext, type Outcome, type Server } from '../lib/bench';
import { judgedRows, num } from '../lib/compare';
import { seedAdmins } from '../lib/seed-admins';
import { measureUserBase } from '../lib/user-base';

/** B7: one process per size of the user base (ctx.b7Sizes), seeded with direct inserts (bench/lib/seed-admins.ts). */
export async function b7(ctx: BenchContext, servers: Server[]): Promise<Outcome> {
  for (const [i, server] of servers.entries()) {
    const started = Date.now();
    const added = await seedAdmins(server.database, ctx.b7Sizes[i]);
    ctx.log(`${ctx.elapsed().padStart(5)}  B7: seeded ${num(added)} admin users (${num(ctx.b7Sizes[i])} in all) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const result = await measureUserBase(
    servers.map((server, i) => ({ size: ctx.b7Sizes[i], origin: server.proc.origin })),
    HEADER,
    ctx.b7Plan,
    (line) => ctx.log(`${ctx.elapsed().padStart(5)}  ${line}`),
    ctx.checkAlive,
  );
  const last = result.sizes.length - 1;
  return {
    id: 'B7',
    title: `hand-off p50 at ${result.sizes.map((n) => n.toLocaleString('en-US')).join(' / ')} admin users: known and new person`,
    unit: 'ratio',
    figure: `p50 at ${num(result.sizes[last])} ÷ at ${num(result.sizes[0])}`,
    value: Math.max(result.knownRatio[last].value, result.createdRatio[last].value),
    goal: '≤ 1.2',
    met: result.met,
    details: {
      sizes: result.sizes,
      p50Ms: { known: result.known, created: result.created },
      ratioToSmallest: { known: result.knownRatio, created: result.createdRatio },
      rounds: result.rounds,
      plan: ctx.b7Plan,
    },
    rows: judgedRows(ctx, result.rows),
  };
}
