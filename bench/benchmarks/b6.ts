/** B6: strict mode with signed assertions vs the plain header, in one process (bench/lib/b6-assertions.ts). */
import { ADMIN, HEADER, type BenchContext, type Outcome, type Server } from '../lib/bench';
import { b6 as measureAssertions } from '../lib/b6-assertions';
import { checkRound, judgedRows } from '../lib/compare';
import { passwordToken } from '../lib/setup';

export async function b6(ctx: BenchContext, server: Server): Promise<Outcome> {
  const { proc } = server;
  const plan = { ...ctx.plan, rounds: ctx.plan.rounds * 2 };
  const outcome = await measureAssertions({ proc, adminToken: await passwordToken(proc), email: ADMIN.email, header: HEADER, plan, log: ctx.log, checkRound });
  return { ...outcome, rows: judgedRows(ctx, outcome.rows) };
}
