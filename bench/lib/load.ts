/**
 * Load generation with autocannon (programmatic API, in the bench process).
 * A "round" is one autocannon run; every round checks that the answers are
 * the ones the scenario expects, so a bench never measures fast errors.
 */
import autocannon from 'autocannon';
import type { EventEmitter } from 'node:events';

/** Without a callback autocannon returns its instance, an EventEmitter that is also a promise of the result. */
type Instance = EventEmitter & PromiseLike<autocannon.Result & { statusCodeStats?: Record<string, { count?: number }> }>;
export const start = (options: autocannon.Options): Instance => autocannon(options) as unknown as Instance;

export interface Target {
  readonly url: string; // origin + path
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The status every answer must have (a different one is an error). */
  readonly expect: number;
}

export interface Round {
  /** Answers with the expected status per second of the round. */
  readonly rps: number;
  readonly ok: number;
  /** Unexpected statuses + socket errors + timeouts. */
  readonly bad: number;
  readonly statuses: Record<string, number>;
  readonly seconds: number;
  /** Exact latencies (ms) of the expected answers, when collected. */
  readonly latency?: { readonly p50: number; readonly p99: number; readonly n: number };
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

interface RunOptions {
  readonly connections: number;
  readonly seconds?: number;
  readonly amount?: number;
  readonly collectLatency?: boolean;
  readonly requests?: autocannon.Request[];
}

async function run(target: Target, options: RunOptions): Promise<Round> {
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  const instance = start({
    url: target.url,
    method: target.method ?? 'GET',
    headers: target.headers,
    body: target.body,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds ?? 5 }),
    timeout: 30,
    requests: options.requests,
  });
  // A round of `amount` requests ends with its last answer: autocannon resolves only at its next
  // one-second tick, which would make 100 answers in 0.3 s read "100 req/s".
  let lastAnswer = started;
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    lastAnswer = process.hrtime.bigint();
    // autocannon's own histogram keeps whole milliseconds; sign-ins take a few ms.
    if (options.collectLatency && status === target.expect) latencies.push(responseTime);
  });
  const result = await instance;
  const ended = options.amount !== undefined && result.errors === 0 ? lastAnswer : process.hrtime.bigint();
  const seconds = Number(ended - started) / 1e9;
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count ?? 0;
  // autocannon counts a timeout as an error too.
  if (result.errors - result.timeouts > 0) statuses.errors = result.errors - result.timeouts;
  if (result.timeouts) statuses.timeouts = result.timeouts;
  const ok = statuses[String(target.expect)] ?? 0;
  const total = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  const round: Round = { rps: ok / seconds, ok, bad: total - ok, statuses, seconds };
  if (!options.collectLatency) return round;
  latencies.sort((a, b) => a - b);
  return { ...round, latency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), n: latencies.length } };
}

/** Throughput: `connections` keep-alive connections for `seconds`, or until `requests` answers when given. */
export const throughput = (target: Target, seconds: number, connections: number, requests: number | null = null): Promise<Round> =>
  run(target, requests === null ? { seconds, connections } : { amount: requests, connections });

/** Latency: `amount` requests, one at a time on one connection (no queueing in the figure). */
export const latency = (target: Target, amount: number): Promise<Round> =>
  run(target, { amount, connections: 1, collectLatency: true });

export interface Provisioning {
  readonly seconds: number;
  readonly signedIn: number;
  readonly identities: string[];
  readonly failures: Record<string, number>;
}

/**
 * B4: `identities.length` first sign-ins by hand-off, `connections` at a
 * time, each request a new identity. Success = 302 with a session cookie.
 */
export async function provisionWave(
  origin: string,
  header: string,
  identities: string[],
  connections: number,
  path = '/remote-auth/login',
): Promise<Provisioning> {
  let next = 0;
  const succeeded = new Set<string>();
  const failures: Record<string, number> = {};
  const fail = (why: string) => (failures[why] = (failures[why] ?? 0) + 1);
  const started = process.hrtime.bigint();
  // The wave ends with its last answer: autocannon resolves on its one-second tick, which would
  // round every wave up to whole seconds (6.02, 7.01 s…).
  let lastAnswer = started;
  const instance = start({
    url: `${origin}${path}`,
    // autocannon refuses more connections than requests (the smoke warm-up: 20 identities, 50 at a time).
    connections: Math.min(connections, identities.length),
    amount: identities.length,
    timeout: 60,
    requests: [
      {
        setupRequest(request, context: Record<string, unknown>) {
          // autocannon may prepare one request per connection that it never sends; that identity is simply unused.
          const identity = identities[next++ % identities.length];
          context.identity = identity;
          return { ...request, headers: { ...request.headers, [header]: identity } };
        },
        onResponse(status: number, _body: string, context: Record<string, unknown>, headers?: Record<string, string | string[]>) {
          lastAnswer = process.hrtime.bigint();
          const cookies = ([] as string[]).concat(headers?.['set-cookie'] ?? headers?.['Set-Cookie'] ?? []).join('\n');
          if (status === 302 && /(^|\n)jwtToken=ey/.test(cookies)) succeeded.add(context.identity as string);
          else fail(`HTTP ${status}${status === 302 ? ' without a session cookie' : ''}`);
        },
      } as autocannon.Request,
    ],
  });
  const result = await instance;
  const seconds = Math.max(Number(lastAnswer - started), 1) / 1e9;
  if (result.errors - result.timeouts > 0) failures['socket errors'] = result.errors - result.timeouts;
  if (result.timeouts) failures.timeouts = result.timeouts;
  return { seconds, signedIn: succeeded.size, identities: [...succeeded], failures };
}
