/**
 * A comparison of two sides (A and B) run in interleaved rounds, and how its
 * figures are printed.
 */
import { BenchError, FLOOD, type BenchContext, type Outcome } from './bench';
import { median, throughput, type Round, type Target } from './load';
import { alternate, firstSide, formatRatio, spreadOf } from './rounds';

export function checkRound(id: string, side: string, round: Round): void {
  const total = round.ok + round.bad;
  if (total === 0 || round.bad / total > FLOOD) {
    throw new BenchError(`${id} ${side}: ${round.bad} of ${total} answers were not the expected ones: ${JSON.stringify(round.statuses)}`);
  }
}

export interface Runner {
  readonly warm: () => Promise<Round>;
  readonly run: () => Promise<Round>;
}

export const num = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
export const ms = (n: number) => (n < 10 ? `${n.toFixed(2)} ms` : n < 100 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`);
export const ratio = (n: number) => n.toFixed(n >= 10 ? 1 : 3);
const fmtRound = (r: Round) => (r.latency ? `p50 ${ms(r.latency.p50)} p99 ${ms(r.latency.p99)}` : `${num(r.rps)} req/s`);

/** The result column: goals are not judged in smoke mode. */
export const verdict = (ctx: BenchContext, met: boolean | null) => (ctx.smoke ? 'not judged' : met === null ? '—' : met ? 'met' : 'MISSED');
/** Rows whose result column a benchmark filled itself (B6, B7): not judged in smoke mode either. */
export const judgedRows = (ctx: BenchContext, rows: string[][]) => (ctx.smoke ? rows.map((row) => [...row.slice(0, -1), verdict(ctx, null)]) : rows);

/**
 * Warm-up A and B of every fork (discarded), then per round and fork both
 * sides in alternating order (bench/lib/rounds.ts): A1 B1, B2 A2 in round 1,
 * B1 A1, A2 B2 in round 2… The i-th A and the i-th B ran next to each other,
 * and neither side always runs right after the other.
 */
export async function interleave(ctx: BenchContext, id: string, a: { label: string; forks: Runner[] }, b: { label: string; forks: Runner[] }) {
  const { log, elapsed, plan } = ctx;
  log(`${elapsed().padStart(5)}  ${id}: warm-up`);
  for (const [f, runner] of a.forks.entries()) {
    checkRound(id, `A warm-up`, await runner.warm());
    checkRound(id, `B warm-up`, await b.forks[f].warm());
  }
  const sides = { a: { label: a.label, rounds: [] as Round[] }, b: { label: b.label, rounds: [] as Round[] } };
  for (let i = 1; i <= plan.rounds; i++) {
    const line: string[] = [];
    for (const [f, runner] of a.forks.entries()) {
      const [ra, rb] = await alternate(
        i - 1 + f,
        async () => {
          const r = await runner.run();
          checkRound(id, 'A', r);
          ctx.checkAlive();
          return r;
        },
        async () => {
          const r = await b.forks[f].run();
          checkRound(id, 'B', r);
          ctx.checkAlive();
          return r;
        },
      );
      sides.a.rounds.push(ra);
      sides.b.rounds.push(rb);
      const pair = firstSide(i - 1 + f) === 'a' ? `A ${fmtRound(ra)}  B ${fmtRound(rb)}` : `B ${fmtRound(rb)}  A ${fmtRound(ra)}`;
      line.push(`${a.forks.length > 1 ? `[fork ${f + 1}] ` : ''}${pair}`);
    }
    log(`${elapsed().padStart(5)}  ${id}: round ${i}/${plan.rounds}  ${line.join('   ')}`);
  }
  return sides;
}

export const throughputRunner = (ctx: BenchContext, target: Target): Runner => ({
  warm: () => throughput(target, ctx.plan.warmSeconds, ctx.plan.connections, ctx.plan.roundRequests),
  run: () => throughput(target, ctx.plan.roundSeconds, ctx.plan.connections, ctx.plan.roundRequests),
});

/** req/s of A and B (one target per fork, the same number on both sides): medians of all rounds. */
export async function throughputComparison(
  ctx: BenchContext,
  id: string,
  title: string,
  a: { label: string; targets: Target[] },
  b: { label: string; targets: Target[] },
  figure: 'A/B' | 'B/A',
  goal: number | null,
): Promise<Outcome> {
  const sides = await interleave(
    ctx,
    id,
    { label: a.label, forks: a.targets.map((target) => throughputRunner(ctx, target)) },
    { label: b.label, forks: b.targets.map((target) => throughputRunner(ctx, target)) },
  );
  const ma = median(sides.a.rounds.map((r) => r.rps));
  const mb = median(sides.b.rounds.map((r) => r.rps));
  const value = figure === 'A/B' ? ma / mb : mb / ma;
  // Ratios of the rounds that ran side by side: how far the figure moves from round to round.
  const paired = sides.a.rounds.map((r, i) => (figure === 'A/B' ? r.rps / sides.b.rounds[i].rps : sides.b.rounds[i].rps / r.rps));
  const spread = spreadOf(paired, goal === null ? null : { op: '≥', limit: goal });
  return {
    id,
    title,
    a: { ...sides.a, median: ma },
    b: { ...sides.b, median: mb },
    unit: 'req/s',
    figure,
    value,
    goal: goal === null ? 'reference' : `≥ ${goal}`,
    met: goal === null ? null : value >= goal,
    details: { forks: a.targets.length, pairedRatios: paired, pairedRatioMedian: median(paired), withinNoise: spread.withinNoise },
    rows: [[id, title, `${num(ma)} req/s`, `${num(mb)} req/s`, `${figure} ${formatRatio(value, spread)}`, goal === null ? 'reference' : `≥ ${goal}`, verdict(ctx, goal === null ? null : value >= goal)]],
  };
}

/** The printed table of every outcome's rows. */
export function table(outcomes: Outcome[]): string {
  const header = ['id', 'what', 'A', 'B', 'figure', 'goal', 'result'];
  const rows = [header, ...outcomes.flatMap((o) => o.rows ?? [])];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => (cell ?? '').padEnd(widths[c])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
