/** B0: a bare node:http server against Strapi's own /_health (plugin off): the reference of what the machine does. */
import type { BenchContext, Outcome, Server } from '../lib/bench';
import { throughputComparison } from '../lib/compare';
import type { ServerProcess } from '../lib/processes';

export function b0(ctx: BenchContext, bare: ServerProcess, off: Server): Promise<Outcome> {
  return throughputComparison(
    ctx,
    'B0',
    'bare node:http 204 vs Strapi GET /_health',
    { label: 'bare node:http 204', targets: [{ url: `${bare.origin}/`, expect: 204 }] },
    { label: 'Strapi GET /_health (plugin off)', targets: [{ url: `${off.proc.origin}/_health`, expect: 204 }] },
    'B/A',
    null,
  );
}
