/** B5: /admin/users/me with a hand-off Bearer plus the header: strict mode (identity re-checked) vs persistent mode. */
import type { BenchContext, Outcome, Server } from '../lib/bench';
import { throughputComparison } from '../lib/compare';
import { strictBearer } from '../lib/setup';

export async function b5(ctx: BenchContext, strict: Server[], persistent: Server[]): Promise<Outcome> {
  return throughputComparison(
    ctx,
    'B5',
    '/admin/users/me, hand-off Bearer + header: strict vs persistent',
    { label: 'strict mode (identity re-checked)', targets: await Promise.all(strict.map((s) => strictBearer(s.proc))) },
    { label: 'persistent mode', targets: await Promise.all(persistent.map((s) => strictBearer(s.proc))) },
    'A/B',
    0.95,
  );
}
