/** B2: /admin/users/me authenticated by the proxy header (strict mode) vs Strapi's native Bearer, in one process. */
import { HEADER, ADMIN, type BenchContext, type Outcome, type Server } from '../lib/bench';
import { throughputComparison } from '../lib/compare';
import { me, passwordToken } from '../lib/setup';

export async function b2(ctx: BenchContext, server: Server): Promise<Outcome> {
  const strict = server.proc;
  const bearer = await passwordToken(strict);
  return throughputComparison(
    ctx,
    'B2',
    '/admin/users/me: proxy header (strict) vs Bearer',
    { label: `${HEADER} header, strict mode`, targets: [me(strict, { [HEADER]: ADMIN.email })] },
    { label: 'native Bearer (password session)', targets: [me(strict, { authorization: `Bearer ${bearer}` })] },
    'A/B',
    1.0,
  );
}
