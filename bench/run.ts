/**
 * npm run bench [-- --quick | --smoke] [-- --db sqlite|postgres|mysql] [-- --profile] [-- --only B1,B3]
 *
 * --smoke (CI): one short round of every benchmark, to prove each still runs end to
 * end; its figures are printed but no goal is judged. The measuring run is the full one.
 *
 * Boots real Strapi processes from the fixture app (NODE_ENV=production, each
 * on a database of its own), drives them with autocannon and prints B0–B5 of
 * issue 8 and B7 of issue 14 (B4 against Strapi's own ceiling) side by side: every figure is the median of several rounds, A and B
 * interleaved in alternating order (A B, B A, A B…), after one discarded warm-up round for each side,
 * with the same connections and payloads for both sides. Results go to
 * bench/results/<time>-<mode>-<db>.json with the machine description.
 *
 * Exit code: 0 when the bench ran, whether or not goals were met (misses are
 * printed); 1 on real errors: a crashed or unbootable server, a flood of
 * unexpected answers, duplicate rows after B4.
 *
 * When a goal is missed (full mode) or with --profile, the A side is run once
 * more in a Strapi started with `node --cpu-prof`; the profile is written to
 * bench/results/ and summarized (measured window only).
 */
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from '../tests/harness/database';
import { latency, median, provisionWave, throughput, type Provisioning, type Round, type Target } from './lib/load';
import { describeMachine, machineLine, type Machine } from './lib/machine';
import { ROOT, cpuSecondsOfCommands, machineCpuSeconds, profilePath, startBareServer, startStrapi, type ServerProcess } from './lib/processes';
import { formatProfile, summarizeProfile, type ProfileSummary } from './lib/profile';
import { alternate, firstSide, formatRatio, spreadOf } from './lib/rounds';
import { countAdmins, seedAdmins } from './lib/seed-admins';
import { measureUserBase } from './lib/user-base';
import { connectDirect } from '../tests/harness/sql';
import { b6 } from './lib/b6-assertions';

// ---------------------------------------------------------------- options

class BenchError extends Error {}

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const inline = argv.find((a) => a.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : undefined;
};
const known = new Set(['--quick', '--smoke', '--db', '--profile', '--only', '--keep-logs', '--help']);
for (const [i, arg] of argv.entries()) {
  if (arg.startsWith('--') && !known.has(arg.split('=')[0])) {
    console.error(`bench: unknown option ${arg}`);
    process.exit(2);
  }
  if (!arg.startsWith('--') && !['--db', '--only'].includes(argv[i - 1])) {
    console.error(`bench: unexpected argument ${arg}`);
    process.exit(2);
  }
}
if (flag('help')) {
  console.log('npm run bench [-- --quick | --smoke] [--db sqlite|postgres|mysql] [--profile] [--only B0,B1,…] [--keep-logs]');
  process.exit(0);
}
/** full: the measuring run; quick: fewer, shorter rounds; smoke: one short round of each benchmark, goals not judged (CI). */
const MODE = flag('smoke') ? 'smoke' : flag('quick') ? 'quick' : 'full';
if (flag('smoke') && flag('quick')) {
  console.error('bench: --smoke and --quick exclude each other');
  process.exit(2);
}
const QUICK = MODE !== 'full';
const SMOKE = MODE === 'smoke';
const DB = (option('db') ?? 'sqlite') as DatabaseKind;
if (!['sqlite', 'postgres', 'mysql'].includes(DB)) {
  console.error(`bench: --db must be sqlite, postgres or mysql, not "${DB}"`);
  process.exit(2);
}
const BENCHMARKS = ['B0', 'B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'];
const ONLY = new Set((option('only') ?? BENCHMARKS.join(',')).toUpperCase().split(',').map((s) => s.trim()));
for (const id of ONLY) {
  if (!BENCHMARKS.includes(id)) {
    console.error(`bench: --only takes ${BENCHMARKS.join(', ')}, not "${id}"`);
    process.exit(2);
  }
}
const PROFILE_ALL = flag('profile');

const PLANS = {
  full: { forks: 3, warmSeconds: 2, roundSeconds: 3, rounds: 4, connections: 10, signInWarm: 20, signIns: 100, b4Identities: 1000, b4Rounds: 3, b4Warm: 50 },
  quick: { forks: 1, warmSeconds: 1, roundSeconds: 1, rounds: 3, connections: 10, signInWarm: 10, signIns: 30, b4Identities: 300, b4Rounds: 1, b4Warm: 50 },
  smoke: { forks: 1, warmSeconds: 1, roundSeconds: 1, rounds: 1, connections: 10, signInWarm: 5, signIns: 10, b4Identities: 100, b4Rounds: 1, b4Warm: 20 },
} as const;
const PLAN = PLANS[MODE];
const B4_IDENTITIES = PLAN.b4Identities;
/** B7: existing admin users per process (seeding 100,000 takes seconds); quick and smoke boot two processes, not three. */
const B7_SIZES = { full: [100, 10_000, 100_000], quick: [100, 100_000], smoke: [100, 1_000] }[MODE];
const B7_PLAN = { full: { rounds: 6, signIns: 60, warm: 20 }, quick: { rounds: 3, signIns: 20, warm: 10 }, smoke: { rounds: 1, signIns: 10, warm: 5 } }[MODE];
const B4_CONCURRENCY = 50;
/** More unexpected answers than this in any round is a real error, not a figure. */
const FLOOD = 0.01;

const HEADER = 'Remote-User';
/** What a browser sends on a top-level navigation; /remote-auth/login refuses fetches (Node's fetch says "cors"). */
const NAVIGATION = { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'none', 'Sec-Fetch-Dest': 'document' };
// B4 creates a thousand accounts on purpose: no creation ceiling here.
const PROXY = { trustedProxies: ['127.0.0.1/32'], maxNewUsersPerMinute: 0 };
const STRICT = { ...PROXY, mode: 'strict', autoCreate: true };
const PERSISTENT = { ...PROXY, mode: 'persistent', autoCreate: true };
const ADMIN = { firstname: 'Bench', lastname: 'Admin', email: 'bench-admin@example.com', password: 'Bench-Passw0rd' };
const ARTICLES = 10;
const CEILING_PATH = '/bench-ceiling/sign-in';

// ---------------------------------------------------------------- resources

const RESULTS = join(ROOT, 'bench', 'results');
mkdirSync(RESULTS, { recursive: true });
const logDir = mkdtempSync(join(os.tmpdir(), 'remote-auth-bench-'));
const processes: ServerProcess[] = [];
const databases: TestDatabase[] = [];

async function cleanUp(): Promise<void> {
  await Promise.all(processes.map((p) => p.stop().catch(() => undefined)));
  for (const db of databases) await db.drop().catch((e: Error) => console.error(`bench: could not drop a database: ${e.message}`));
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\nbench: ${signal}, stopping servers…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

const log = (line: string) => console.log(line);
const elapsed = (() => {
  const start = Date.now();
  return () => `${((Date.now() - start) / 1000).toFixed(0)}s`;
})();

function checkAlive(): void {
  for (const proc of processes) {
    const crashed = proc.crashed();
    if (crashed) throw new BenchError(`${proc.name} (pid ${proc.pid}) ${crashed} during the bench; log ${proc.logFile}:\n${proc.tail()}`);
  }
}

// ---------------------------------------------------------------- HTTP set-up helpers

async function call(proc: ServerProcess, path: string, init: RequestInit & { expect: number }): Promise<Response> {
  const response = await fetch(`${proc.origin}${path}`, { redirect: 'manual', ...init, signal: AbortSignal.timeout(30_000) });
  if (response.status !== init.expect) {
    throw new BenchError(`${proc.name}: ${init.method ?? 'GET'} ${path} answered ${response.status}, not ${init.expect}: ${(await response.text()).slice(0, 300)}`);
  }
  return response;
}

const json = { 'content-type': 'application/json' };

async function registerAdmin(proc: ServerProcess): Promise<void> {
  await call(proc, '/admin/register-admin', { method: 'POST', headers: json, body: JSON.stringify(ADMIN), expect: 200 });
}

async function passwordToken(proc: ServerProcess): Promise<string> {
  const response = await call(proc, '/admin/login', { method: 'POST', headers: json, body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }), expect: 200 });
  return ((await response.json()) as { data: { token: string } }).data.token;
}

/**
 * A session minted by the hand-off, as the browser gets it: the readable access-token cookie.
 * Sent with node:http, not fetch: fetch adds its own `Sec-Fetch-Mode: cors`, and the
 * sign-in route only answers top-level navigations.
 */
async function handOffToken(proc: ServerProcess, identity: string): Promise<string> {
  const { status, setCookies, body } = await new Promise<{ status: number; setCookies: string[]; body: string }>((resolve, reject) => {
    const req = http.get(`${proc.origin}/remote-auth/login`, { headers: { ...NAVIGATION, [HEADER]: identity }, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookies: res.headers['set-cookie'] ?? [], body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
  if (status !== 302) throw new BenchError(`${proc.name}: GET /remote-auth/login answered ${status}, not 302: ${body.slice(0, 300)}`);
  const cookie = setCookies.find((c) => c.startsWith('jwtToken='));
  if (!cookie) throw new BenchError(`${proc.name}: the hand-off set no jwtToken cookie`);
  return cookie.slice('jwtToken='.length).split(';')[0];
}

async function seedArticles(proc: ServerProcess, token: string): Promise<void> {
  for (let i = 1; i <= ARTICLES; i++) {
    await call(proc, '/content-manager/collection-types/api::article.article', {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${token}` },
      body: JSON.stringify({ title: `Bench article ${i}`, body: `Body of bench article ${i}. `.repeat(20) }),
      expect: 201,
    });
  }
  const listed = (await (await call(proc, '/api/articles', { expect: 200 })).json()) as { data: unknown[] };
  if (listed.data.length !== ARTICLES) throw new BenchError(`${proc.name}: /api/articles lists ${listed.data.length} articles, not ${ARTICLES}`);
}

// ---------------------------------------------------------------- the servers

/**
 * Every process of a comparison between two processes has the same history
 * (same set-up, then only that comparison), so neither side is better warmed
 * up by earlier benches: B1 runs first on `strict` and `off`, B5 has
 * processes of its own. Two identical Strapi processes can differ by several
 * per cent for the life of the process (JIT decisions, memory layout), so in
 * full mode B1 and B5 use three processes ("forks") per side and cycle through
 * them; B2 and B3 compare within one process.
 */
type Role = 'strict' | 'off' | 'b5Strict' | 'b5Persistent' | 'provision' | 'b6' | 'userBase';

const ROLES: Record<Role, { name: string; config?: Record<string, unknown>; pluginEnabled: boolean; articles: boolean; env?: Record<string, string> }> = {
  strict: { name: 'strapi-plugin-strict', config: STRICT, pluginEnabled: true, articles: true },
  off: { name: 'strapi-plugin-off', pluginEnabled: false, articles: true },
  b5Strict: { name: 'strapi-b5-strict', config: STRICT, pluginEnabled: true, articles: false },
  b5Persistent: { name: 'strapi-b5-persistent', config: PERSISTENT, pluginEnabled: true, articles: false },
  // REMOTE_AUTH_BENCH_CEILING: B4's anchor route (tests/fixture-app/src/bench-ceiling.js), in this process only.
  provision: { name: 'strapi-b4-provision', config: STRICT, pluginEnabled: true, articles: false, env: { REMOTE_AUTH_BENCH_CEILING: '1' } },
  // B6 switches `assertion` through the settings API between rounds: not pinned here.
  b6: { name: 'strapi-b6-assertions', config: STRICT, pluginEnabled: true, articles: false },
  userBase: { name: 'strapi-b7-users', config: STRICT, pluginEnabled: true, articles: false },
};

interface Server {
  readonly proc: ServerProcess;
  readonly database: TestDatabase;
}

async function bootServer(role: Role, fork = 1, cpuProfile?: { dir: string; name: string }): Promise<Server> {
  const spec = ROLES[role];
  const database = await createTestDatabase(DB);
  databases.push(database);
  const proc = await startStrapi({
    name: `${spec.name}${fork > 1 ? `-${fork}` : ''}${cpuProfile ? '-profiled' : ''}`,
    database,
    config: spec.config,
    pluginEnabled: spec.pluginEnabled,
    logDir,
    cpuProfile,
    env: spec.env,
  });
  processes.push(proc);
  await registerAdmin(proc);
  // The plugin is really on (or really off) in this process.
  await call(proc, '/remote-auth/status', { expect: spec.pluginEnabled ? 200 : 404 });
  if (spec.articles) await seedArticles(proc, await passwordToken(proc));
  return { proc, database };
}

/** Boots at most two at a time (two cores): faster than one by one, no thrashing. */
async function bootAll(wanted: Array<{ role: Role; forks: number }>): Promise<Partial<Record<Role, Server[]>>> {
  const servers: Partial<Record<Role, Server[]>> = {};
  const queue = wanted.flatMap(({ role, forks }) => Array.from({ length: forks }, (_, i) => ({ role, fork: i + 1 })));
  let failed = false;
  // allSettled: a failed boot must not leave the other one starting unseen while we clean up.
  const results = await Promise.allSettled(
    [0, 1].map(async () => {
      for (let next = queue.shift(); next && !failed; next = queue.shift()) {
        try {
          (servers[next.role] ??= [])[next.fork - 1] = await bootServer(next.role, next.fork);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return servers;
}

// ---------------------------------------------------------------- scenarios

const articles = (proc: ServerProcess): Target => ({ url: `${proc.origin}/api/articles`, expect: 200 });
const me = (proc: ServerProcess, headers: Record<string, string>): Target => ({ url: `${proc.origin}/admin/users/me`, headers, expect: 200 });
const handOff = (proc: ServerProcess): Target => ({ url: `${proc.origin}/remote-auth/login`, headers: { ...NAVIGATION, [HEADER]: ADMIN.email }, expect: 302 });
const passwordLogin = (proc: ServerProcess): Target => ({
  url: `${proc.origin}/admin/login`,
  method: 'POST',
  headers: json,
  body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
  expect: 200,
});
const strictBearer = async (proc: ServerProcess): Promise<Target> =>
  me(proc, { authorization: `Bearer ${await handOffToken(proc, ADMIN.email)}`, [HEADER]: ADMIN.email });

// ---------------------------------------------------------------- comparisons

interface Side {
  readonly label: string;
  readonly rounds: Round[];
}

interface Outcome {
  readonly id: string;
  readonly title: string;
  readonly a?: Side & { readonly median: number };
  readonly b?: Side & { readonly median: number };
  readonly unit: string;
  readonly figure: string;
  readonly value: number;
  readonly goal: string;
  /** null: a reference, no goal. */
  readonly met: boolean | null;
  readonly details?: Record<string, unknown>;
  readonly rows?: string[][];
}

function checkRound(id: string, side: string, round: Round): void {
  const total = round.ok + round.bad;
  if (total === 0 || round.bad / total > FLOOD) {
    throw new BenchError(`${id} ${side}: ${round.bad} of ${total} answers were not the expected ones: ${JSON.stringify(round.statuses)}`);
  }
}

interface Runner {
  readonly warm: () => Promise<Round>;
  readonly run: () => Promise<Round>;
}

/**
 * Warm-up A and B of every fork (discarded), then per round and fork both
 * sides in alternating order (bench/lib/rounds.ts): A1 B1, B2 A2 in round 1,
 * B1 A1, A2 B2 in round 2… The i-th A and the i-th B ran next to each other,
 * and neither side always runs right after the other.
 */
async function interleave(id: string, a: { label: string; forks: Runner[] }, b: { label: string; forks: Runner[] }) {
  log(`${elapsed().padStart(5)}  ${id}: warm-up`);
  for (const [f, runner] of a.forks.entries()) {
    checkRound(id, `A warm-up`, await runner.warm());
    checkRound(id, `B warm-up`, await b.forks[f].warm());
  }
  const sides = { a: { label: a.label, rounds: [] as Round[] }, b: { label: b.label, rounds: [] as Round[] } };
  for (let i = 1; i <= PLAN.rounds; i++) {
    const line: string[] = [];
    for (const [f, runner] of a.forks.entries()) {
      const [ra, rb] = await alternate(
        i - 1 + f,
        async () => {
          const r = await runner.run();
          checkRound(id, 'A', r);
          checkAlive();
          return r;
        },
        async () => {
          const r = await b.forks[f].run();
          checkRound(id, 'B', r);
          checkAlive();
          return r;
        },
      );
      sides.a.rounds.push(ra);
      sides.b.rounds.push(rb);
      const pair = firstSide(i - 1 + f) === 'a' ? `A ${fmtRound(ra)}  B ${fmtRound(rb)}` : `B ${fmtRound(rb)}  A ${fmtRound(ra)}`;
      line.push(`${a.forks.length > 1 ? `[fork ${f + 1}] ` : ''}${pair}`);
    }
    log(`${elapsed().padStart(5)}  ${id}: round ${i}/${PLAN.rounds}  ${line.join('   ')}`);
  }
  return sides;
}

const fmtRound = (r: Round) => (r.latency ? `p50 ${ms(r.latency.p50)} p99 ${ms(r.latency.p99)}` : `${num(r.rps)} req/s`);
const num = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ms = (n: number) => (n < 10 ? `${n.toFixed(2)} ms` : n < 100 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`);
const ratio = (n: number) => n.toFixed(n >= 10 ? 1 : 3);

const throughputRunner = (target: Target): Runner => ({
  warm: () => throughput(target, PLAN.warmSeconds, PLAN.connections),
  run: () => throughput(target, PLAN.roundSeconds, PLAN.connections),
});

/** req/s of A and B (one target per fork, the same number on both sides): medians of all rounds. */
async function throughputComparison(
  id: string,
  title: string,
  a: { label: string; targets: Target[] },
  b: { label: string; targets: Target[] },
  figure: 'A/B' | 'B/A',
  goal: number | null,
): Promise<Outcome> {
  const sides = await interleave(
    id,
    { label: a.label, forks: a.targets.map(throughputRunner) },
    { label: b.label, forks: b.targets.map(throughputRunner) },
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
    rows: [[id, title, `${num(ma)} req/s`, `${num(mb)} req/s`, `${figure} ${formatRatio(value, spread)}`, goal === null ? 'reference' : `≥ ${goal}`, verdict(goal === null ? null : value >= goal)]],
  };
}

const verdict = (met: boolean | null) => (SMOKE ? 'not judged' : met === null ? '—' : met ? 'met' : 'MISSED');

async function b3(server: Server): Promise<Outcome> {
  const sides = await interleave(
    'B3',
    {
      label: 'hand-off GET /remote-auth/login',
      forks: [{ warm: () => latency(handOff(server.proc), PLAN.signInWarm), run: () => latency(handOff(server.proc), PLAN.signIns) }],
    },
    {
      label: 'password POST /admin/login',
      forks: [{ warm: () => latency(passwordLogin(server.proc), PLAN.signInWarm), run: () => latency(passwordLogin(server.proc), PLAN.signIns) }],
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
    details: { p50: { a: a50, b: b50, ratio: r50, spread: s50 }, p99: { a: a99, b: b99, ratio: r99, spread: s99 }, requestsPerRound: PLAN.signIns },
    rows: [
      ['B3', 'sign-in p50: hand-off vs password login', ms(a50), ms(b50), `B/A ${formatRatio(r50, s50)}`, '≥ 5', verdict(r50 >= 5)],
      ['', 'sign-in p99', ms(a99), ms(b99), `B/A ${formatRatio(r99, s99)}`, '≥ 5', verdict(r99 >= 5)],
    ],
  };
}

async function b4(server: Server): Promise<Outcome> {
  const { proc, database } = server;
  const identities = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `b4-${tag}-${String(i).padStart(4, '0')}@bench.example`);
  // The anchor: the same user, role link and session made by Strapi's own services in this process (bench-ceiling.js).
  const ceilingWave = (tag: string, n: number) =>
    provisionWave(proc.origin, HEADER, Array.from({ length: n }, (_, i) => `ceiling-${tag}-${i}@bench.example`), B4_CONCURRENCY, CEILING_PATH);
  const adminsAtStart = await countAdmins(database);
  log(`${elapsed().padStart(5)}  B4: warm-up (${PLAN.b4Warm} identities, plugin and Strapi's ceiling; ${adminsAtStart} admin users)`);
  const warm = await provisionWave(proc.origin, HEADER, identities('warm', PLAN.b4Warm), B4_CONCURRENCY);
  const ceilingWarm = await ceilingWave('warm', PLAN.b4Warm);
  if (ceilingWarm.signedIn !== PLAN.b4Warm) throw new BenchError(`B4: Strapi's ceiling route failed: ${JSON.stringify(ceilingWarm.failures)}; log ${proc.logFile}`);
  const before = proc.memory();
  const waves: Array<Provisioning & { tag: string; usersPerSecond: number }> = [];
  const ceilings: Array<{ seconds: number; signedIn: number; usersPerSecond: number; failures: Record<string, number> }> = [];
  for (let r = 1; r <= PLAN.b4Rounds; r++) {
    const tag = `r${r}`;
    const [wave, ceiling] = await alternate(
      r - 1,
      () => provisionWave(proc.origin, HEADER, identities(tag, B4_IDENTITIES), B4_CONCURRENCY),
      () => ceilingWave(tag, B4_IDENTITIES),
    );
    checkAlive();
    waves.push({ ...wave, tag, usersPerSecond: wave.signedIn / wave.seconds });
    ceilings.push({ seconds: ceiling.seconds, signedIn: ceiling.signedIn, failures: ceiling.failures, usersPerSecond: ceiling.signedIn / ceiling.seconds });
    const failed = Object.values(wave.failures).reduce((s, n) => s + n, 0);
    log(
      `${elapsed().padStart(5)}  B4: round ${r}/${PLAN.b4Rounds}  plugin ${wave.signedIn} signed in, ${failed} failed in ${wave.seconds.toFixed(2)} s → ${num(wave.signedIn / wave.seconds)} users/s; ` +
        `Strapi's ceiling ${num(ceiling.signedIn / ceiling.seconds)} users/s`,
    );
  }
  const after = proc.memory();
  const adminsAtEnd = await countAdmins(database);

  const sql = await connectDirect(database, { readonly: true });
  let duplicates: Record<string, unknown[]>;
  let missing = 0;
  try {
    duplicates = {
      adminUsersSameEmail: await sql.query('SELECT LOWER(email) AS email, COUNT(*) AS n FROM admin_users GROUP BY LOWER(email) HAVING COUNT(*) > 1'),
      identityRowsSameSubject: await sql.query('SELECT source, subject, COUNT(*) AS n FROM remote_auth_identities GROUP BY source, subject HAVING COUNT(*) > 1'),
      identitiesSharingAUser: await sql.query("SELECT user_id, COUNT(*) AS n FROM remote_auth_identities WHERE subject LIKE 'b4-%' GROUP BY user_id HAVING COUNT(*) > 1"),
    };
    for (const wave of waves) {
      const [users] = await sql.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM admin_users WHERE email LIKE ?', [`b4-${wave.tag}-%`]);
      const [links] = await sql.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM remote_auth_identities l JOIN admin_users u ON u.id = l.user_id WHERE l.subject LIKE ?',
        [`b4-${wave.tag}-%`],
      );
      // Every identity that got a session has exactly one user and one link.
      missing += Math.max(0, wave.signedIn - Number(users.n)) + Math.max(0, wave.signedIn - Number(links.n));
    }
  } finally {
    await sql.close();
  }
  const duplicateRows = Object.values(duplicates).reduce((sum, rows) => sum + rows.reduce((s: number, row) => s + Number((row as { n: number }).n) - 1, 0), 0);
  const failedRequests = waves.reduce((sum, w) => sum + Object.values(w.failures).reduce((s, n) => s + n, 0), 0);
  const errors = failedRequests + missing;
  const rate = median(waves.map((w) => w.usersPerSecond));
  const ceilingRate = median(ceilings.map((c) => c.usersPerSecond));
  const ofCeiling = rate / ceilingRate;
  const ceilingSpread = spreadOf(waves.map((w, i) => w.usersPerSecond / ceilings[i].usersPerSecond), { op: '≥', limit: 0.9 });
  const rateGoal = DB === 'sqlite';
  const met = (!rateGoal || rate >= 100) && ofCeiling >= 0.9 && errors === 0 && duplicateRows === 0;
  const mb = (kb?: number) => (kb === undefined ? 'n/a' : `${Math.round(kb / 1024)} MB`);
  if (duplicateRows > 0) throw new BenchError(`B4: ${duplicateRows} duplicate rows: ${JSON.stringify(duplicates)}`);
  const totalRequests = waves.length * B4_IDENTITIES;
  if (failedRequests / totalRequests > FLOOD) {
    throw new BenchError(`B4: ${failedRequests} of ${totalRequests} first sign-ins failed: ${JSON.stringify(waves.map((w) => w.failures))}`);
  }
  return {
    id: 'B4',
    title: `${B4_IDENTITIES.toLocaleString('en-US')} new identities, ${B4_CONCURRENCY} at a time, autoCreate`,
    unit: 'users/s',
    figure: 'users/s',
    value: rate,
    goal: `≥ 0.9 of Strapi's ceiling, ${rateGoal ? '≥ 100 users/s, ' : ''}0 errors, 0 dup.`,
    met,
    details: {
      ceiling: { usersPerSecond: ceilingRate, rounds: ceilings, warmUp: { signedIn: ceilingWarm.signedIn, seconds: ceilingWarm.seconds } },
      ofCeiling,
      ofCeilingSpread: ceilingSpread,
      adminUsers: { atStart: adminsAtStart, atEnd: adminsAtEnd },
      rounds: waves.map(({ tag, seconds, signedIn, failures, usersPerSecond }) => ({ tag, seconds, signedIn, failures, usersPerSecond })),
      warmUp: { signedIn: warm.signedIn, seconds: warm.seconds, failures: warm.failures },
      errors,
      failedRequests,
      missingRows: missing,
      duplicateRows,
      duplicates,
      rssBeforeKb: before?.rssKb,
      rssAfterKb: after?.rssKb,
      peakRssKb: after?.hwmKb,
    },
    rows: [
      [
        'B4',
        `${B4_IDENTITIES.toLocaleString('en-US')} new identities ×${B4_CONCURRENCY}, autoCreate (${PLAN.b4Rounds} round${PLAN.b4Rounds > 1 ? 's' : ''}; ${adminsAtStart}→${adminsAtEnd} admins)`,
        `${num(rate)} users/s`,
        `Strapi's ceiling ${num(ceilingRate)} users/s`,
        `A/B ${formatRatio(ofCeiling, ceilingSpread)}`,
        rateGoal ? '≥ 0.9, ≥ 100/s' : '≥ 0.9',
        verdict((!rateGoal || rate >= 100) && ofCeiling >= 0.9),
      ],
      ['', '  rows after B4, memory', `${errors} errors, ${duplicateRows} dup.`, '', `RSS ${mb(before?.rssKb)} → ${mb(after?.rssKb)}`, '0, 0', verdict(errors === 0 && duplicateRows === 0)],
    ],
  };
}

/** B7: one process per size of the user base (B7_SIZES), seeded with direct inserts (bench/lib/seed-admins.ts). */
async function b7(servers: Server[]): Promise<Outcome> {
  for (const [i, server] of servers.entries()) {
    const started = Date.now();
    const added = await seedAdmins(server.database, B7_SIZES[i]);
    log(`${elapsed().padStart(5)}  B7: seeded ${num(added)} admin users (${num(B7_SIZES[i])} in all) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const result = await measureUserBase(
    servers.map((server, i) => ({ size: B7_SIZES[i], origin: server.proc.origin })),
    HEADER,
    B7_PLAN,
    (line) => log(`${elapsed().padStart(5)}  ${line}`),
    checkAlive,
  );
  const last = result.sizes.length - 1;
  return {
    id: 'B7',
    title: `hand-off p50 at ${result.sizes.map((n) => n.toLocaleString('en-US')).join(' / ')} admin users: known and new person`,
    unit: 'ratio',
    figure: `p50 at ${num(result.sizes[last])} ÷ at ${num(result.sizes[0])}`,
    value: Math.max(result.knownRatio[last].value, result.createdRatio[last].value),
    goal: '≤ 1.2',
    met: result.met,
    details: {
      sizes: result.sizes,
      p50Ms: { known: result.known, created: result.created },
      ratioToSmallest: { known: result.knownRatio, created: result.createdRatio },
      rounds: result.rounds,
      plan: B7_PLAN,
    },
    rows: result.rows,
  };
}

// ---------------------------------------------------------------- profiling

interface ProfileRun {
  readonly id: string;
  readonly summary?: ProfileSummary;
  readonly error?: string;
}

/** One more run of the A side in a Strapi started with --cpu-prof; only the measured window is summarized. */
async function profile(id: string): Promise<ProfileRun> {
  const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}-${DB}.cpuprofile`;
  log(`${elapsed().padStart(5)}  ${id}: profiling the A side (node --cpu-prof)…`);
  const { proc } = await bootServer(id === 'B4' ? 'provision' : 'strict', 1, { dir: RESULTS, name });
  try {
    let warm: () => Promise<unknown>;
    let measured: () => Promise<unknown>;
    if (id === 'B1' || id === 'B2' || id === 'B5') {
      const target =
        id === 'B1' ? articles(proc) : id === 'B2' ? me(proc, { [HEADER]: ADMIN.email }) : await strictBearer(proc);
      warm = () => throughput(target, PLAN.warmSeconds, PLAN.connections);
      measured = () => throughput(target, PLAN.roundSeconds, PLAN.connections);
    } else if (id === 'B3') {
      warm = () => latency(handOff(proc), PLAN.signInWarm);
      measured = () => latency(handOff(proc), PLAN.signIns);
    } else {
      const wave = (tag: string, n: number) =>
        provisionWave(proc.origin, HEADER, Array.from({ length: n }, (_, i) => `prof-${tag}-${i}@bench.example`), B4_CONCURRENCY);
      warm = () => wave('warm', PLAN.b4Warm);
      measured = () => wave('measured', B4_IDENTITIES);
    }
    await warm(); // outside the window
    const from = Number(process.hrtime.bigint() / 1000n);
    await measured();
    const to = Number(process.hrtime.bigint() / 1000n);
    await proc.stop(60_000); // the profile is written on exit
    const file = profilePath(RESULTS, name);
    if (!file) return { id, error: `no profile written (${name})` };
    return { id, summary: summarizeProfile(file, from, to) };
  } catch (error) {
    return { id, error: (error as Error).message };
  } finally {
    await proc.stop();
  }
}

/** CPU used by everything else on the machine while we measured: other work perturbs the figures. */
const DATABASE_SERVERS = ['postgres', 'mariadbd', 'mysqld'];

function cpuSnapshot() {
  const machine = machineCpuSeconds();
  const own = process.cpuUsage();
  const children = processes.reduce((sum, p) => sum + (p.cpuSeconds() ?? 0), 0);
  const database = DB === 'sqlite' ? 0 : cpuSecondsOfCommands(DATABASE_SERVERS);
  return machine && { ...machine, ours: (own.user + own.system) / 1e6 + children, database };
}

function foreignCpu(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>) {
  if (!before || !after) return null;
  const total = after.total - before.total;
  const busy = after.busy - before.busy;
  const ours = after.ours - before.ours;
  const database = Math.max(0, after.database - before.database);
  const round = (n: number) => Math.round(n * 1000) / 10;
  return {
    windowSeconds: Math.round((total / os.cpus().length) * 10) / 10,
    ourSharePct: round(ours / total),
    databaseServerSharePct: round(database / total),
    otherSharePct: round(Math.max(0, busy - ours - database) / total),
    stealPct: round((after.steal - before.steal) / total),
  };
}

// ---------------------------------------------------------------- output

function table(outcomes: Outcome[]): string {
  const header = ['id', 'what', 'A', 'B', 'figure', 'goal', 'result'];
  const rows = [header, ...outcomes.flatMap((o) => o.rows ?? [])];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => (cell ?? '').padEnd(widths[c])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const started = new Date();
  const mode = MODE;
  log(`bench: ${mode} mode on ${DB}; ${PLAN.rounds} rounds of ${PLAN.roundSeconds} s per side after a ${PLAN.warmSeconds} s warm-up; logs in ${logDir}`);
  const outcomes: Outcome[] = [];
  const profiles: ProfileRun[] = [];
  let machine: Machine | null = null;
  let failure: string | null = null;
  let contention: ReturnType<typeof foreignCpu> = null;

  try {
    const wanted = (id: string) => ONLY.has(id);
    const forks = PLAN.forks;
    const boot: Array<{ role: Role; forks: number }> = [];
    if (wanted('B1') || wanted('B2') || wanted('B3')) boot.push({ role: 'strict', forks: wanted('B1') ? forks : 1 });
    if (wanted('B0') || wanted('B1')) boot.push({ role: 'off', forks: wanted('B1') ? forks : 1 });
    if (wanted('B5')) boot.push({ role: 'b5Strict', forks }, { role: 'b5Persistent', forks });
    if (wanted('B4')) boot.push({ role: 'provision', forks: 1 });
    if (wanted('B6')) boot.push({ role: 'b6', forks: 1 });
    if (wanted('B7')) boot.push({ role: 'userBase', forks: B7_SIZES.length });
    log(
      `${elapsed().padStart(5)}  booting ${boot.map((b) => `${ROLES[b.role].name}${b.forks > 1 ? ` ×${b.forks}` : ''}`).join(', ')}` +
        `${wanted('B0') ? ' and a bare node:http server' : ''}…`,
    );
    const bare = wanted('B0') ? await startBareServer(logDir) : null;
    if (bare) processes.push(bare);
    const servers = await bootAll(boot);
    const first = (role: Role) => servers[role]![0];
    const all = (role: Role) => servers[role]!;
    const dbVersion = await (async () => {
      const any = Object.values(servers)[0]?.[0];
      if (!any) return DB;
      const sql = await connectDirect(any.database, { readonly: true });
      try {
        return await sql.version();
      } finally {
        await sql.close();
      }
    })();
    machine = describeMachine(dbVersion);
    log(`${elapsed().padStart(5)}  ready. ${machineLine(machine)}`);
    const cpuBefore = cpuSnapshot();

    // B1 first: both of its processes have done nothing but the same set-up.
    if (wanted('B1')) {
      outcomes.push(
        await throughputComparison(
          'B1',
          'GET /api/articles: plugin on (strict) vs off',
          { label: 'plugin enabled (strict, autoCreate)', targets: all('strict').map((s) => articles(s.proc)) },
          { label: 'plugin disabled', targets: all('off').map((s) => articles(s.proc)) },
          'A/B',
          0.97,
        ),
      );
    }
    if (wanted('B0')) {
      outcomes.push(
        await throughputComparison(
          'B0',
          'bare node:http 204 vs Strapi GET /_health',
          { label: 'bare node:http 204', targets: [{ url: `${bare!.origin}/`, expect: 204 }] },
          { label: 'Strapi GET /_health (plugin off)', targets: [{ url: `${first('off').proc.origin}/_health`, expect: 204 }] },
          'B/A',
          null,
        ),
      );
    }
    if (wanted('B2')) {
      const strict = first('strict').proc;
      const bearer = await passwordToken(strict);
      outcomes.push(
        await throughputComparison(
          'B2',
          '/admin/users/me: proxy header (strict) vs Bearer',
          { label: `${HEADER} header, strict mode`, targets: [me(strict, { [HEADER]: ADMIN.email })] },
          { label: 'native Bearer (password session)', targets: [me(strict, { authorization: `Bearer ${bearer}` })] },
          'A/B',
          1.0,
        ),
      );
    }
    if (wanted('B5')) {
      outcomes.push(
        await throughputComparison(
          'B5',
          '/admin/users/me, hand-off Bearer + header: strict vs persistent',
          { label: 'strict mode (identity re-checked)', targets: await Promise.all(all('b5Strict').map((s) => strictBearer(s.proc))) },
          { label: 'persistent mode', targets: await Promise.all(all('b5Persistent').map((s) => strictBearer(s.proc))) },
          'A/B',
          0.95,
        ),
      );
    }
    if (wanted('B3')) outcomes.push(await b3(first('strict')));
    if (wanted('B4')) outcomes.push(await b4(first('provision')));
    if (wanted('B6')) {
      const { proc } = first('b6');
      const plan = { ...PLAN, rounds: PLAN.rounds * 2 };
      outcomes.push(await b6({ proc, adminToken: await passwordToken(proc), email: ADMIN.email, header: HEADER, plan, log, checkRound }));
    }
    if (wanted('B7')) outcomes.push(await b7(all('userBase')));
    contention = foreignCpu(cpuBefore, cpuSnapshot());

    // Servers of the comparison are done: profile with the machine to ourselves.
    await Promise.all(processes.map((p) => p.stop()));
    const toProfile = outcomes.filter((o) => o.id !== 'B0' && o.id !== 'B6' && o.id !== 'B7' && (PROFILE_ALL || (o.met === false && !QUICK)) && !SMOKE).map((o) => o.id);
    for (const id of toProfile) profiles.push(await profile(id));
    const silent = [...ONLY].filter((id) => !outcomes.some((o) => o.id === id));
    if (silent.length > 0) throw new BenchError(`no figure from ${silent.join(', ')}: every benchmark asked for must run end to end`);
  } catch (error) {
    failure = error instanceof BenchError ? error.message : ((error as Error).stack ?? String(error));
  } finally {
    await cleanUp();
  }

  machine ??= describeMachine(DB);
  const missed = outcomes.filter((o) => o.met === false);
  const met = outcomes.filter((o) => o.met === true);
  const report = {
    mode,
    database: DB,
    startedAt: started.toISOString(),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine,
    plan: { ...PLAN, b4Identities: B4_IDENTITIES, b4Concurrency: B4_CONCURRENCY, articles: ARTICLES, floodThreshold: FLOOD },
    loadAverageAtEnd: os.loadavg().map((n) => Math.round(n * 100) / 100),
    cpuDuringMeasurements: contention,
    outcomes: outcomes.map(({ rows, ...o }) => o),
    goals: SMOKE ? 'not judged (smoke mode)' : { met: met.map((o) => o.id), missed: missed.map((o) => o.id) },
    profiles,
    error: failure,
  };
  const file = join(RESULTS, `${started.toISOString().replace(/[:.]/g, '-')}-${mode}-${DB}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

  log('');
  log(table(outcomes));
  log('');
  log(`machine: ${machineLine(machine)}; load average at start ${machine.loadAverageAtStart.join(' ')}`);
  log(
    `each figure: median of ${PLAN.rounds} rounds${QUICK ? ` (${MODE} mode)` : ''}` +
      `${PLAN.forks > 1 ? ` (B1, B5: ${PLAN.rounds} rounds on each of ${PLAN.forks} processes per side)` : ''}, ` +
      `A and B in alternating order (A B, B A…) after a discarded warm-up round each; ${PLAN.connections} connections, ${PLAN.roundSeconds} s rounds ` +
      `(B3: ${PLAN.signIns} sign-ins per round on 1 connection; B4: ${PLAN.b4Rounds} × ${B4_IDENTITIES} identities, ${B4_CONCURRENCY} at a time, ` +
      `plugin and Strapi's ceiling alternating; B7: ${B7_PLAN.rounds} rounds of ${B7_PLAN.signIns} sign-ins per side and size on 1 connection); ` +
      '"rounds x–y": lowest and highest ratio of rounds run side by side; "within noise": the goal lies between them',
  );
  if (MODE === 'quick') log('quick mode: one process per side, 1 s rounds; its ratios move by ±20 %; quote the full run');
  if (SMOKE) log('smoke mode: one short round of each benchmark, to show each runs end to end; the figures are not judged — measure with the full run');
  if (contention) {
    log(
      `CPU while measuring: this bench (Strapi servers + load generator) ${contention.ourSharePct}% of the machine` +
        (DB === 'sqlite' ? '' : `, the ${DB} server ${contention.databaseServerSharePct}%`) +
        `, other processes ${contention.otherSharePct}%` +
        (contention.otherSharePct > 10 ? ' — the machine was shared; figures are perturbed, ratios less so (A and B interleaved)' : ''),
    );
  }
  if (outcomes.length > 0 && !SMOKE) {
    log(`goals met: ${met.map((o) => o.id).join(', ') || 'none'}; goals missed: ${missed.map((o) => `${o.id} (${o.figure} ${o.unit === 'users/s' ? num(o.value) : ratio(o.value)}, goal ${o.goal})`).join(', ') || 'none'}`);
  }
  for (const run of profiles) {
    log(`\nprofile of ${run.id} A side:`);
    log(run.summary ? formatProfile(run.summary) : `  failed: ${run.error}`);
  }
  log(`\nresults: ${file}`);
  if (failure) {
    console.error(`\nbench FAILED: ${failure}\nserver logs kept in ${logDir}`);
    return 1;
  }
  if (!flag('keep-logs')) rmSync(logDir, { recursive: true, force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    void cleanUp().finally(() => process.exit(1));
  },
);
