/** B1: GET /api/articles with the plugin on (strict mode) vs off; one target per fork on each side. */
import type { BenchContext, Outcome, Server } from '../lib/bench';
import { throughputComparison } from '../lib/compare';
import { articles } from '../lib/setup';

export function b1(ctx: BenchContext, strict: Server[], off: Server[]): Promise<Outcome> {
  return throughputComparison(
    ctx,
    'B1',
    'GET /api/articles: plugin on (strict) vs off',
    { label: 'plugin enabled (strict, autoCreate)', targets: strict.map((s) => articles(s.proc)) },
    { label: 'plugin disabled', targets: off.map((s) => articles(s.proc)) },
    'A/B',
    0.97,
  );
}
