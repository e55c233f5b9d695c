/** B3: sign-in latency, the hand-off (GET /remote-auth/login) vs Strapi's password login, one connection. */
import type { BenchContext, Outcome, Server, Side } from '../lib/bench';
import { interleave, ms, verdict } from '../lib/compare';
import { latency, median } from '../lib/load';
import { formatRatio, spreadOf } from '../lib/rounds';
import { handOff, passwordLogin } from '../lib/setup';

export async function b3(ctx: BenchContext, server: Server): Promise<Outcome> {
  const sides = await interleave(
    ctx,
    'B3',
    {
      label: 'hand-off GET /remote-auth/login',
      forks: [{ warm: () => latency(handOff(server.proc), ctx.plan.signInWarm), run: () => latency(handOff(server.proc), ctx.plan.signIns) }],
    },
    {
      label: 'password POST /admin/login',
      forks: [{ warm: () => latency(passwordLogin(server.proc), ctx.plan.signInWarm), run: () => latency(passwordLogin(server.proc), ctx.plan.signIns) }],
    },
  );
  const p = (side: Side, key: 'p50' | 'p99') => median(side.rounds.map((r) => r.latency![key]));
  const a50 = p(sides.a, 'p50');
  const a99 = p(sides.a, 'p99');
  const b50 = p(sides.b, 'p50');
  const b99 = p(sides.b, 'p99');
  const r50 = b50 / a50;
  const r99 = b99 / a99;
  const met = r50 >= 5 && r99 >= 5;
  const pairedSpread = (key: 'p50' | 'p99') =>
    spreadOf(sides.a.rounds.map((r, i) => sides.b.rounds[i].latency![key] / r.latency![key]), { op: '≥', limit: 5 });
  const s50 = pairedSpread('p50');
  const s99 = pairedSpread('p99');
  return {
    id: 'B3',
    title: 'sign-in: hand-off vs password login (1 connection)',
    a: { ...sides.a, median: a50 },
    b: { ...sides.b, median: b50 },
    unit: 'ms',
    figure: 'B/A',
    value: Math.min(r50, r99),
    goal: '≥ 5',
    met,
    details: { p50: { a: a50, b: b50, ratio: r50, spread: s50 }, p99: { a: a99, b: b99, ratio: r99, spread: s99 }, requestsPerRound: ctx.plan.signIns },
    rows: [
      ['B3', 'sign-in p50: hand-off vs password login', ms(a50), ms(b50), `B/A ${formatRatio(r50, s50)}`, '≥ 5', verdict(ctx, r50 >= 5)],
      ['', 'sign-in p99', ms(a99), ms(b99), `B/A ${formatRatio(r99, s99)}`, '≥ 5', verdict(ctx, r99 >= 5)],
    ],
  };
}
