/**
 * B7: does a sign-in cost the same with 100, 10,000 or 100,000 admin users?
 * One Strapi process per size, each with the same history (boot, first admin,
 * seeded users, one warm-up), then per round, in every process, the hand-off
 * of a known person (A: linked at warm-up) and of a new person (B: a new
 * account each time), in alternating order; the sizes too run in alternating
 * order round by round. Figures: p50 per size, and p50 at each size ÷ p50 at
 * the smallest, with the spread of that ratio across rounds.
 */
import http from 'node:http';
import { median, percentile } from './load';
import { alternate, formatRatio, meets, spreadOf, type Goal } from './rounds';

export interface UserBaseServer {
  readonly size: number;
  readonly origin: string;
}

export interface UserBasePlan {
  readonly rounds: number;
  /** Sign-ins per side per round, one at a time on one keep-alive connection. */
  readonly signIns: number;
  readonly warm: number;
}

export interface UserBaseResult {
  readonly sizes: number[];
  /** p50 (ms) per size: median over rounds of each round's p50. */
  readonly known: number[];
  readonly created: number[];
  /** per size: ratio to the smallest size, with the spread over rounds. */
  readonly knownRatio: Array<{ value: number; low: number; high: number; withinNoise: boolean }>;
  readonly createdRatio: Array<{ value: number; low: number; high: number; withinNoise: boolean }>;
  readonly met: boolean;
  readonly goal: Goal;
  readonly rows: string[][];
  readonly rounds: Array<{ size: number; known: number[]; created: number[] }>;
}

const NAVIGATION = { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'none', 'Sec-Fetch-Dest': 'document' };
export const B7_GOAL: Goal = { op: '≤', limit: 1.2 };

/** One hand-off: 302 with a session cookie, or an error naming what came back. Resolves with its time in ms. */
function signIn(agent: http.Agent, origin: string, header: string, identity: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.get(`${origin}/remote-auth/login`, { agent, headers: { ...NAVIGATION, [header]: identity }, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const took = Number(process.hrtime.bigint() - started) / 1e6;
        const cookie = (res.headers['set-cookie'] ?? []).some((c) => c.startsWith('jwtToken=ey'));
        if (res.statusCode === 302 && cookie) resolve(took);
        else reject(new Error(`B7: hand-off of ${identity} answered ${res.statusCode}${cookie ? '' : ' without a session cookie'}: ${body.slice(0, 200)}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

async function p50Of(agent: http.Agent, origin: string, header: string, identities: string[]): Promise<number> {
  const times: number[] = [];
  for (const identity of identities) times.push(await signIn(agent, origin, header, identity));
  return percentile(times.sort((a, b) => a - b), 50);
}

export async function measureUserBase(
  servers: UserBaseServer[],
  header: string,
  plan: UserBasePlan,
  progress: (line: string) => void,
  checkAlive: () => void,
): Promise<UserBaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const known = (size: number) => `b7-known-${size}@bench.example`;
  let serial = 0;
  const newcomers = (size: number, n: number) => Array.from({ length: n }, () => `b7-new-${size}-${++serial}@bench.example`);
  try {
    for (const server of servers) {
      // The known person's account and link are created here; the rest warms both paths up.
      await p50Of(agent, server.origin, header, [known(server.size), ...Array<string>(plan.warm).fill(known(server.size))]);
      await p50Of(agent, server.origin, header, newcomers(server.size, plan.warm));
    }
    const rounds = servers.map((s) => ({ size: s.size, known: [] as number[], created: [] as number[] }));
    for (let round = 0; round < plan.rounds; round++) {
      const order = round % 2 === 0 ? servers.map((_, i) => i) : servers.map((_, i) => servers.length - 1 - i);
      for (const i of order) {
        const { origin, size } = servers[i];
        const [a, b] = await alternate(
          round + i,
          () => p50Of(agent, origin, header, Array<string>(plan.signIns).fill(known(size))),
          () => p50Of(agent, origin, header, newcomers(size, plan.signIns)),
        );
        checkAlive();
        rounds[i].known.push(a);
        rounds[i].created.push(b);
      }
      progress(
        `B7: round ${round + 1}/${plan.rounds}  ` +
          rounds.map((r) => `${r.size.toLocaleString('en-US')}: known ${r.known[round].toFixed(2)} ms, new ${r.created[round].toFixed(2)} ms`).join('   '),
      );
    }
    const p50 = (side: 'known' | 'created') => rounds.map((r) => median(r[side]));
    const ratios = (side: 'known' | 'created') =>
      rounds.map((r) => {
        const paired = r[side].map((v, k) => v / rounds[0][side][k]);
        const value = median(r[side]) / median(rounds[0][side]);
        return { value, ...spreadOf(paired, B7_GOAL) };
      });
    const knownRatio = ratios('known');
    const createdRatio = ratios('created');
    const last = servers.length - 1;
    const met = meets(knownRatio[last].value, B7_GOAL) && meets(createdRatio[last].value, B7_GOAL);
    const sizes = servers.map((s) => s.size);
    const label = (n: number) => n.toLocaleString('en-US');
    const ms = (n: number) => `${n.toFixed(2)} ms`;
    const rows: string[][] = [];
    for (const [side, title, values, ratio] of [
      ['known', 'hand-off p50, known person', p50('known'), knownRatio],
      ['created', 'hand-off p50, new person (account created)', p50('created'), createdRatio],
    ] as const) {
      rows.push([
        side === 'known' ? 'B7' : '',
        `${title} at ${sizes.map(label).join(' / ')} admins`,
        values.map(ms).join(' / '),
        '',
        `${label(sizes[last])}÷${label(sizes[0])} ${formatRatio(ratio[last].value, ratio[last])}`,
        '≤ 1.2',
        meets(ratio[last].value, B7_GOAL) ? 'met' : 'MISSED',
      ]);
    }
    return { sizes, known: p50('known'), created: p50('created'), knownRatio, createdRatio, met, goal: B7_GOAL, rows, rounds };
  } finally {
    agent.destroy();
  }
}
