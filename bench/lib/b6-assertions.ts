/**
 * B6: strict mode with signed assertions vs strict mode with the plain
 * header, in the SAME Strapi process under the same load.
 *
 * The process pins everything but `assertion`; before each round the bench
 * switches it through the settings API (a Super Admin's PUT, effective on the
 * next request): A = Pomerium preset, keys from a JWKS server in the bench
 * process; B = null (the plain `Remote-User` header). Both sides call
 * `GET /admin/users/me` with a hand-off session's Bearer plus the identity —
 * A a FRESH ES256 assertion per request (as Pomerium mints one per request;
 * signed beforehand, so signing costs the load generator nothing), B the
 * header. Order A B B A A B…, so neither side always runs second. The figure
 * is median(A req/s) / median(B req/s); the spread is the lowest and highest
 * ratio of the pairs that ran next to each other, and the result says "within
 * noise" when the goal lies inside that spread but the median is below it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { median, start, type Round } from './load';
import type { ServerProcess } from './processes';

export const B6_GOAL = 0.9;
const ROUTE_DOMAIN = 'bench.strapi.test';
const ASSERTION_HEADER = 'X-Pomerium-Jwt-Assertion';
const NAVIGATION = { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'none', 'Sec-Fetch-Dest': 'document' };

export interface B6Plan {
  readonly warmSeconds: number;
  readonly roundSeconds: number;
  readonly roundRequests: number | null;
  readonly rounds: number;
  readonly connections: number;
}

export interface B6Context {
  readonly proc: ServerProcess;
  /** A Super Admin's Bearer (password session) for the settings API. */
  readonly adminToken: string;
  readonly email: string;
  /** The plain identity header of side B. */
  readonly header: string;
  readonly plan: B6Plan;
  readonly log: (line: string) => void;
  /** Throws when a round had unexpected answers (the bench's own flood check). */
  readonly checkRound: (id: string, side: string, round: Round) => void;
}

/** Same fields as run.ts's Outcome (structural), so main() can push it as is. */
export interface B6Outcome {
  readonly id: 'B6';
  readonly title: string;
  readonly a: { label: string; rounds: Round[]; median: number };
  readonly b: { label: string; rounds: Round[]; median: number };
  readonly unit: 'req/s';
  readonly figure: 'A/B';
  readonly value: number;
  readonly goal: string;
  readonly met: boolean;
  readonly details: Record<string, unknown>;
  readonly rows: string[][];
}

/** A JWKS server on 127.0.0.1 and a signer for its one ES256 key. */
async function keyServer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = 'bench-es256';
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] });
  let fetches = 0;
  const server = http.createServer((req, res) => {
    fetches += 1;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sign = (email: string, jti: number): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ email, sub: `bench-${email}`, jti: `b6-${jti}` })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(ROUTE_DOMAIN)
      .setAudience(ROUTE_DOMAIN)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
  };
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    sign,
    get fetches() {
      return fetches;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function api(proc: ServerProcess, token: string, method: 'GET' | 'PUT', body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${proc.origin}/remote-auth/settings`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`B6: ${method} /remote-auth/settings answered ${response.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { data: { settings: Record<string, unknown>; pinned: string[] } }).data as unknown as Record<string, unknown>;
}

/** Stores `assertion` (everything else as it is; pinned keys are left out of the PUT). */
async function setAssertion(ctx: B6Context, assertion: Record<string, unknown> | null): Promise<void> {
  const { settings, pinned, fields } = (await api(ctx.proc, ctx.adminToken, 'GET')) as {
    settings: Record<string, unknown>;
    pinned: string[];
    fields: Record<string, { kind: string }>;
  };
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (pinned.includes(key) || fields[key]?.kind === 'hook') continue;
    // The shared secret is write-only: its header alone keeps the stored value.
    body[key] = key === 'sharedSecret' && value ? { header: (value as { header: string }).header } : value;
  }
  body.assertion = assertion;
  await api(ctx.proc, ctx.adminToken, 'PUT', { settings: body });
}

/** A hand-off session (GET /remote-auth/login as a browser navigation) with `headers` carrying the identity. */
function handOff(proc: ServerProcess, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${proc.origin}/remote-auth/login`, { headers: { ...NAVIGATION, ...headers }, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const cookie = (res.headers['set-cookie'] ?? []).find((c) => c.startsWith('jwtToken='));
        if (res.statusCode !== 302 || !cookie) reject(new Error(`B6: hand-off answered ${res.statusCode} without a session: ${text.slice(0, 300)}`));
        else resolve(cookie.slice('jwtToken='.length).split(';')[0]);
      });
    });
    req.on('timeout', () => req.destroy(new Error('B6: hand-off timed out')));
    req.on('error', reject);
  });
}

/** One autocannon run; `identity()` gives the identity headers of each request. */
async function round(url: string, bearer: string, seconds: number, requests: number | null, connections: number, identity: () => Record<string, string>): Promise<Round> {
  const started = process.hrtime.bigint();
  let lastAnswer = started; // a round of `requests` ends with its last answer, not autocannon's next tick
  const instance = start({
    url,
    connections,
    ...(requests === null ? { duration: seconds } : { amount: requests }),
    timeout: 30,
    headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
    requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, headers: { ...request.headers, ...identity() } }) } as autocannon.Request],
  });
  instance.on('response', () => (lastAnswer = process.hrtime.bigint()));
  const result = await instance;
  const elapsed = Number((requests !== null && result.errors === 0 ? lastAnswer : process.hrtime.bigint()) - started) / 1e9;
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count ?? 0;
  if (result.errors - result.timeouts > 0) statuses.errors = result.errors - result.timeouts;
  if (result.timeouts) statuses.timeouts = result.timeouts;
  const ok = statuses['200'] ?? 0;
  const total = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  return { rps: ok / elapsed, ok, bad: total - ok, statuses, seconds: elapsed };
}

/** Lets the last requests of the previous round leave the server before the setting changes. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

const num = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (n: number) => n.toFixed(3);

export async function b6(ctx: B6Context): Promise<B6Outcome> {
  const keys = await keyServer();
  try {
    const assertion = { preset: 'pomerium', routeDomain: ROUTE_DOMAIN, jwksUrl: keys.jwksUrl };
    const url = `${ctx.proc.origin}/admin/users/me`;
    // Enough distinct tokens for every request of the longest side (about 600 req/s at most on 2 cores).
    const perRound = Math.ceil(800 * Math.max(ctx.plan.roundSeconds, ctx.plan.warmSeconds));
    const pool: string[] = [];
    for (let i = 0; i < perRound * 2; i++) pool.push(await keys.sign(ctx.email, i));
    let next = 0;
    const fresh = () => ({ [ASSERTION_HEADER]: pool[next++ % pool.length] });
    const plain = () => ({ [ctx.header]: ctx.email });

    const sides = {
      A: { label: 'strict, fresh ES256 assertion per request', rounds: [] as Round[], identity: fresh, settings: assertion },
      B: { label: `strict, plain ${ctx.header} header`, rounds: [] as Round[], identity: plain, settings: null },
    };
    /**
     * Switch the setting, then start a session the way that side starts one
     * (strict mode rightly ends a session whose request no longer carries the
     * identity the current setting believes: requests of the previous round
     * still in the server's queue when the setting changed do exactly that).
     */
    const measure = async (side: 'A' | 'B', seconds: number): Promise<Round> => {
      await settle();
      await setAssertion(ctx, sides[side].settings);
      const bearer = await handOff(ctx.proc, sides[side].identity());
      const result = await round(url, bearer, seconds, ctx.plan.roundRequests, ctx.plan.connections, sides[side].identity);
      ctx.checkRound('B6', side, result);
      return result;
    };

    ctx.log('        B6: warm-up');
    await measure('A', ctx.plan.warmSeconds);
    await measure('B', ctx.plan.warmSeconds);
    const paired: number[] = [];
    for (let i = 1; i <= ctx.plan.rounds; i++) {
      // A B, B A, A B, …: neither side always runs second.
      const order: Array<'A' | 'B'> = i % 2 === 1 ? ['A', 'B'] : ['B', 'A'];
      const got: Partial<Record<'A' | 'B', Round>> = {};
      for (const side of order) got[side] = await measure(side, ctx.plan.roundSeconds);
      sides.A.rounds.push(got.A!);
      sides.B.rounds.push(got.B!);
      paired.push(got.A!.rps / got.B!.rps);
      ctx.log(`        B6: round ${i}/${ctx.plan.rounds} (${order.join(' ')})  A ${num(got.A!.rps)} req/s  B ${num(got.B!.rps)} req/s  A/B ${ratio(paired.at(-1)!)}`);
    }
    await setAssertion(ctx, null);

    const ma = median(sides.A.rounds.map((r) => r.rps));
    const mb = median(sides.B.rounds.map((r) => r.rps));
    const value = ma / mb;
    const low = Math.min(...paired);
    const high = Math.max(...paired);
    const met = value >= B6_GOAL;
    const withinNoise = !met && low <= B6_GOAL && B6_GOAL <= high;
    const result = met ? 'met' : withinNoise ? 'within noise' : 'MISSED';
    return {
      id: 'B6',
      title: '/admin/users/me, strict: signed assertion vs plain header (same process)',
      a: { label: sides.A.label, rounds: sides.A.rounds, median: ma },
      b: { label: sides.B.label, rounds: sides.B.rounds, median: mb },
      unit: 'req/s',
      figure: 'A/B',
      value,
      goal: `≥ ${B6_GOAL}`,
      met,
      details: { pairedRatios: paired, pairedRatioMedian: median(paired), spread: [low, high], withinNoise, keyFetches: keys.fetches, distinctTokens: pool.length },
      rows: [['B6', 'strict: assertion vs header', `${num(ma)} req/s`, `${num(mb)} req/s`, `A/B ${ratio(value)} (rounds ${ratio(low)}–${ratio(high)})`, `≥ ${B6_GOAL}`, result]],
    };
  } finally {
    await keys.close();
  }
}
