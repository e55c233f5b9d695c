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
 *
 * Each benchmark is a file of bench/benchmarks/ (b0.ts … b7.ts); this file
 * parses the options, boots the servers (bench/lib/servers.ts), runs the
 * benchmarks asked for and prints.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { DatabaseKind } from '../tests/harness/database';
import { connectDirect } from '../tests/harness/sql';
import { b0 } from './benchmarks/b0';
import { b1 } from './benchmarks/b1';
import { b2 } from './benchmarks/b2';
import { b3 } from './benchmarks/b3';
import { b4 } from './benchmarks/b4';
import { b5 } from './benchmarks/b5';
import { b6 } from './benchmarks/b6';
import { b7 } from './benchmarks/b7';
import { ARTICLES, B4_CONCURRENCY, B7_PLANS, B7_SIZES, BenchError, FLOOD, PLANS, type BenchContext, type Outcome } from './lib/bench';
import { num, ratio, table } from './lib/compare';
import { cpuSnapshot, foreignCpu } from './lib/contention';
import { describeMachine, machineLine, type Machine } from './lib/machine';
import { ROOT, startBareServer } from './lib/processes';
import { formatProfile, type ProfileSummary } from './lib/profile';
import { profile, type ProfileRun } from './lib/profile-run';
import { ROLES, bootAll, cleanUp as stopAndDrop, type Resources, type Role } from './lib/servers';

// ---------------------------------------------------------------- options

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

const PLAN = PLANS[MODE];
/** How long a throughput round lasts: seconds, or (smoke) a number of answers. */
const ROUND_LENGTH = PLAN.roundRequests === null ? `${PLAN.roundSeconds} s` : `${PLAN.roundRequests} requests`;
const B4_IDENTITIES = PLAN.b4Identities;
const B7_PLAN = B7_PLANS[MODE];

// ---------------------------------------------------------------- resources

const RESULTS = join(ROOT, 'bench', 'results');
mkdirSync(RESULTS, { recursive: true });
const logDir = mkdtempSync(join(os.tmpdir(), 'remote-auth-bench-'));
const resources: Resources = { db: DB, logDir, processes: [], databases: [] };
const processes = resources.processes;
const cleanUp = () => stopAndDrop(resources);

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

const ctx: BenchContext = { mode: MODE, quick: QUICK, smoke: SMOKE, db: DB, plan: PLAN, b7Sizes: B7_SIZES[MODE], b7Plan: B7_PLAN, log, elapsed, checkAlive };

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const started = new Date();
  const mode = MODE;
  const warmUp = PLAN.roundRequests === null ? `a ${PLAN.warmSeconds} s warm-up` : 'a warm-up of as many';
  log(`bench: ${mode} mode on ${DB}; ${PLAN.rounds} rounds of ${ROUND_LENGTH} per side after ${warmUp}; logs in ${logDir}`);
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
    if (wanted('B7')) boot.push({ role: 'userBase', forks: ctx.b7Sizes.length });
    log(
      `${elapsed().padStart(5)}  booting ${boot.map((b) => `${ROLES[b.role].name}${b.forks > 1 ? ` ×${b.forks}` : ''}`).join(', ')}` +
        `${wanted('B0') ? ' and a bare node:http server' : ''}…`,
    );
    const bare = wanted('B0') ? await startBareServer(logDir) : null;
    if (bare) processes.push(bare);
    const servers = await bootAll(resources, boot);
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
    const cpuBefore = cpuSnapshot(DB, processes);

    // B1 first: both of its processes have done nothing but the same set-up.
    if (wanted('B1')) outcomes.push(await b1(ctx, all('strict'), all('off')));
    if (wanted('B0')) outcomes.push(await b0(ctx, bare!, first('off')));
    if (wanted('B2')) outcomes.push(await b2(ctx, first('strict')));
    if (wanted('B5')) outcomes.push(await b5(ctx, all('b5Strict'), all('b5Persistent')));
    if (wanted('B3')) outcomes.push(await b3(ctx, first('strict')));
    if (wanted('B4')) outcomes.push(await b4(ctx, first('provision')));
    if (wanted('B6')) outcomes.push(await b6(ctx, first('b6')));
    if (wanted('B7')) outcomes.push(await b7(ctx, all('userBase')));
    contention = foreignCpu(cpuBefore, cpuSnapshot(DB, processes));

    // Servers of the comparison are done: profile with the machine to ourselves.
    await Promise.all(processes.map((p) => p.stop()));
    const toProfile = outcomes.filter((o) => o.id !== 'B0' && o.id !== 'B6' && o.id !== 'B7' && (PROFILE_ALL || (o.met === false && !QUICK)) && !SMOKE).map((o) => o.id);
    for (const id of toProfile) profiles.push(await profile(ctx, resources, RESULTS, id));
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
      `A and B in alternating order (A B, B A…) after a discarded warm-up round each; ${PLAN.connections} connections, rounds of ${ROUND_LENGTH} ` +
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
    if (run.ceiling && run.summary && run.signIns) {
      log(`\nprofile of ${run.id} B side (Strapi's ceiling, same process, after the A side):`);
      log(formatProfile(run.ceiling));
      const perSignIn = (summary: ProfileSummary) => (summary.busyMs / run.signIns!).toFixed(2);
      log(`  main-thread CPU per first sign-in: plugin ${perSignIn(run.summary)} ms, Strapi's ceiling ${perSignIn(run.ceiling)} ms (${run.signIns} each)`);
    }
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
