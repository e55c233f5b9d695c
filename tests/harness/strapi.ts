/**
 * The one way to boot the fixture app, for every suite, the demo and the
 * bench. One API, two modes:
 *
 *   // in this process (node's test runner gives each test file a process of its own)
 *   const app = await startStrapi({ config: { autoCreate: true } });
 *   … app.strapi, app.createAdmin(…), app.adminUsers() …
 *   await app.stop();
 *
 *   // as a child process: several instances on one database (the way
 *   // production runs behind a load balancer), an instance whose database
 *   // connection the test can cut, the demo, the bench
 *   const db = await createTestDatabase('postgres');
 *   const a = await startStrapi({ mode: 'child', database: db, config: { autoCreate: true } });
 *   const b = await startStrapi({ mode: 'child', database: db, config: { autoCreate: true } });
 *   …
 *   await a.stop(); await b.stop(); await db.drop();
 *
 * Both boot through tests/harness/serve-strapi.js (bootFixture), which is
 * also the child-process entry. A child never drops a database it was given:
 * whoever created it does. `bootOnce` boots a child and stops it at once, to
 * prove that a configuration starts (or how it refuses to).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import type { Core } from '@strapi/strapi';
import { createTestDatabase, type TestDatabase } from './database';

interface ServeStrapi {
  FIXTURE_APP: string;
  FIXTURE_OWNER: { readonly email: string; readonly password: string };
  bootFixture(spec: { config?: Record<string, unknown>; env?: Record<string, string>; databaseEnv?: Record<string, string>; superAdmin?: boolean }): Promise<Core.Strapi>;
  stopFixture(strapi: Core.Strapi): Promise<void>;
}
const ENTRY = resolve(__dirname, 'serve-strapi.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const serveStrapi = require(ENTRY) as ServeStrapi;

/** The app the suites boot (tests/fixture-app, or the compat app REMOTE_AUTH_FIXTURE names). */
export const FIXTURE_APP = serveStrapi.FIXTURE_APP;
export const CONFIG_KEY = 'plugin::remote-auth';

/**
 * The Super Admin the harness gives every app it boots, as a real app has one
 * before single sign-on may create accounts (no-super-admin). A password
 * account that no identity is linked to; `adminUsers()` leaves it out, so the
 * suites see exactly the accounts they made.
 */
export const FIXTURE_OWNER = serveStrapi.FIXTURE_OWNER;

export const fixturePath = (...parts: string[]) => join(FIXTURE_APP, ...parts);

/** A compat app must load the plugin from its node_modules, never from this repository. */
function assertPluginFromTarball(): void {
  if (!process.env.REMOTE_AUTH_FIXTURE) return;
  const installed = realpathSync(join(FIXTURE_APP, 'node_modules', 'strapi-plugin-remote-auth'));
  if (!installed.startsWith(join(FIXTURE_APP, 'node_modules') + sep)) {
    throw new Error(`${FIXTURE_APP}: the plugin resolves to ${installed}; run "node tests/compat/prepare.js <version>"`);
  }
}

/** Another process may be rebuilding the fixture admin (ensure-fixture-build); wait for it. */
async function waitForAdminBuild(): Promise<void> {
  const index = join(FIXTURE_APP, 'build', 'index.html');
  for (let waited = 0; !existsSync(index); waited += 1000) {
    if (waited > 180_000) throw new Error(`${index} is missing: run "node tests/harness/ensure-fixture-build.js"`);
    await new Promise((done) => setTimeout(done, 1000));
  }
}

// ---------------------------------------------------------------- options

interface CommonOptions {
  /** The plugin configuration (config/plugins), validated like boot config. */
  config?: Record<string, unknown>;
  /** Extra environment for Strapi, e.g. STRAPI_LOG_LEVEL (default "error"), NODE_ENV (default "test"), PORT (default 0: a free one). */
  env?: Record<string, string>;
  /** false: boot without FIXTURE_OWNER (an app whose first administrator does not exist yet). Default true. */
  superAdmin?: boolean;
}

export interface InProcessOptions extends CommonOptions {
  mode?: 'in-process';
  /** A database of its own by default (dropped by stop()); one given is shared and never dropped. */
  database?: TestDatabase;
}

export interface ChildOptions extends CommonOptions {
  mode: 'child';
  /** A database of its own by default (dropped by stop()); one given is shared and never dropped. */
  database?: Pick<TestDatabase, 'kind' | 'env'>;
  /** Options for node itself, e.g. --cpu-prof or --insecure-http-parser. */
  nodeArgs?: string[];
  bootTimeoutMs?: number;
  /**
   * The process writes everything it prints straight into this file (this
   * process never reads it, as with `strapi start > file`); output() then
   * reads the file's last 128 kB, and onOutput is not called.
   */
  logFile?: string;
  /** Every line the process prints (but the ready line), as it comes. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

// ---------------------------------------------------------------- in-process

export interface TestStrapi {
  readonly strapi: Core.Strapi;
  readonly origin: string;
  readonly port: number;
  readonly database: TestDatabase;
  /** Replaces the plugin's configuration (validated like boot config on the next request). */
  configure(config: Record<string, unknown>): void;
  createAdmin(user: { email: string; password?: string; roles?: string[]; isActive?: boolean; blocked?: boolean }): Promise<{ id: number; email: string }>;
  /** Every admin user except FIXTURE_OWNER. */
  adminUsers(): Promise<Array<{ id: number; email: string; isActive: boolean; blocked: boolean | null; roles: Array<{ code: string }> }>>;
  stop(): Promise<void>;
}

export function startStrapi(options?: InProcessOptions): Promise<TestStrapi>;
export function startStrapi(options: ChildOptions): Promise<StrapiProcess>;
export function startStrapi(options: InProcessOptions | ChildOptions = {}): Promise<TestStrapi | StrapiProcess> {
  return options.mode === 'child' ? startChild(options) : startInProcess(options);
}

/** Boots the fixture app in this process, listening on 127.0.0.1 and a free port. One Strapi per process. */
async function startInProcess(options: InProcessOptions): Promise<TestStrapi> {
  await waitForAdminBuild();
  assertPluginFromTarball();
  const shared = options.database !== undefined;
  const database = options.database ?? (await createTestDatabase());
  let strapi: Core.Strapi;
  try {
    strapi = await serveStrapi.bootFixture({ config: options.config, env: options.env, databaseEnv: database.env, superAdmin: options.superAdmin });
  } catch (error) {
    if (!shared) await database.drop().catch(() => undefined);
    throw error;
  }
  const address = strapi.server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('Strapi is not listening on TCP');
  const base = { ...(strapi.config.get(CONFIG_KEY) as Record<string, unknown>) };

  return {
    strapi,
    database,
    port: address.port,
    origin: `http://127.0.0.1:${address.port}`,
    configure(config) {
      strapi.config.set(CONFIG_KEY, { ...base, ...config });
    },
    async createAdmin({ email, password, roles = ['strapi-super-admin'], isActive = true, blocked = false }) {
      const all = await strapi.db.query('admin::role').findMany();
      const roleIds = roles.map((code) => {
        const role = all.find((r: { code: string }) => r.code === code);
        if (!role) throw new Error(`no role ${code}`);
        return role.id;
      });
      const user = await strapi.service('admin::user').create({
        email,
        firstname: email.split('@')[0],
        ...(password ? { password } : {}),
        roles: roleIds,
        isActive,
        blocked,
        registrationToken: null,
      });
      return { id: user.id, email: user.email };
    },
    async adminUsers() {
      return strapi.db.query('admin::user').findMany({ where: { email: { $ne: FIXTURE_OWNER.email } }, populate: ['roles'], orderBy: { id: 'asc' } });
    },
    async stop() {
      await serveStrapi.stopFixture(strapi);
      if (!shared) await database.drop();
    },
  };
}

// ---------------------------------------------------------------- child process

export interface StrapiProcess {
  readonly origin: string;
  readonly port: number;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far (with logFile: the last 128 kB). */
  output(): string;
  /** Lines written since `mark` (a value of `output().length`). */
  outputSince(mark: number): string;
  /** null while running; the exit code (or signal name) once it ended. */
  exited(): number | string | null;
  /** Settles when the process has ended, with its exit code or signal name. */
  readonly ended: Promise<number | string>;
  /**
   * null while running or after stop(); once the process ended without being
   * asked to: its exit code or signal, why it said it died, and its last output.
   */
  crashReport(): string | null;
  /**
   * Throws a StrapiProcessDied (with the crash report) if the process ended
   * without being asked to. `graceMs` (default 0): how long to wait for an exit
   * to be noticed, after a failed request (a dying process resets its sockets
   * before the parent sees it exit).
   */
  assertAlive(graceMs?: number): Promise<void>;
  /**
   * For an HTTP call to this process: when it fails (socket hang up,
   * ECONNRESET, ECONNREFUSED…) because the process died, rejects with the
   * crash report instead of the bare socket error.
   */
  watch<T>(call: Promise<T>): Promise<T>;
  /** SIGTERM, then waits (SIGKILL after `graceMs`, default 20 s). Resolves with the exit code; safe to call twice. */
  stop(graceMs?: number): Promise<number | string | null>;
}

/** A Strapi process that ended without being asked to; the message carries its exit status and output. */
export class StrapiProcessDied extends Error {
  override readonly name = 'StrapiProcessDied';
}

const OUTPUT_IN_REPORT = 12_000;
const OUTPUT_KEPT_WITH_LOG_FILE = 128 * 1024;

/**
 * What the child said about its death: serve-strapi prints a FATAL block for an
 * uncaught exception or unhandled rejection; Node prints the error itself.
 */
function causeOf(output: string): string {
  const fatal = output.lastIndexOf('serve-strapi: FATAL');
  return fatal === -1 ? '(no FATAL line from serve-strapi: see the output below)' : output.slice(fatal, fatal + 4000).split('\nserve-strapi: END FATAL')[0];
}

const running = new Set<ChildProcess>();
// Last line of defence: never leave a Strapi behind when the test process ends.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The child-process entry, run by plain node (no TypeScript loader), on `database`. */
function spawnChild(options: ChildOptions, database: Pick<TestDatabase, 'kind' | 'env'>, once = false, logFd: number | null = null): ChildProcess {
  const { config = {}, env = {}, superAdmin = true, nodeArgs = [] } = options;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    // In the process environment too: node itself reads some (NODE_OPTIONS).
    ...env,
    SERVE_STRAPI: JSON.stringify({ database: { kind: database.kind, env: database.env }, config, env, superAdmin, once, readyFd: logFd === null ? undefined : 3 }),
  };
  // We are often run by `node --test`: the child is a server, not a test file.
  delete childEnv.NODE_TEST_CONTEXT;
  // The entry is plain JavaScript and must not inherit a loader (tsx runs the bench).
  if (childEnv.NODE_OPTIONS?.includes('tsx')) delete childEnv.NODE_OPTIONS;
  const stdio = logFd === null ? (['pipe', 'pipe', 'pipe'] as const) : (['pipe', logFd, logFd, 'pipe'] as const);
  const child = spawn(process.execPath, ['--stack-trace-limit=40', ...nodeArgs, ENTRY], { cwd: FIXTURE_APP, env: childEnv, stdio: [...stdio] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  for (const stream of [child.stdout, child.stderr, child.stdio[3]]) (stream as NodeJS.ReadableStream | null)?.setEncoding('utf8');
  child.stdin!.on('error', () => {}); // EPIPE when the child is gone
  return child;
}

/** Calls `onLine` with every complete line of `stream`. */
function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
  });
  stream.on('end', () => pending && onLine(pending));
}

async function startChild(options: ChildOptions): Promise<StrapiProcess> {
  await waitForAdminBuild();
  assertPluginFromTarball();
  const own = options.database === undefined ? await createTestDatabase() : null;
  const database = options.database ?? own!;
  const { bootTimeoutMs = 180_000, logFile, onOutput } = options;
  const logFd = logFile ? openSync(logFile, 'a') : null;
  const child = spawnChild(options, database, false, logFd);
  if (logFd !== null) closeSync(logFd); // the child has its own copy

  let captured = '';
  const append = (chunk: string) => (captured += chunk);
  /** With logFile: the last 128 kB of the file (marks from outputSince are then approximate). */
  const output = (): string => {
    if (!logFile) return captured;
    try {
      const text = readFileSync(logFile, 'utf8');
      return text.length > OUTPUT_KEPT_WITH_LOG_FILE ? text.slice(-OUTPUT_KEPT_WITH_LOG_FILE) : text;
    } catch {
      return '';
    }
  };
  let exit: number | string | null = null;
  let exitDetail = '';
  let stopRequested = false;
  let ready = false;
  const ended = new Promise<number | string>((done) => {
    child.on('exit', (code, signal) => {
      exit = code ?? signal ?? 'unknown';
      exitDetail = signal ? `killed by ${signal}` : `exit code ${code}`;
      if (!stopRequested && ready) {
        // Also on our stderr at once: the evidence is printed even if no test looks.
        process.stderr.write(`\n${crashReport()}\n`);
      }
      if (own) void own.drop().catch(() => undefined);
      done(exit);
    });
  });

  function crashReport(): string | null {
    if (exit === null || stopRequested) return null;
    const all = output();
    const tail = all.length > OUTPUT_IN_REPORT ? `…${all.slice(-OUTPUT_IN_REPORT)}` : all;
    return [
      `Strapi process ${child.pid} exited unexpectedly (${exitDetail}).`,
      `--- cause ---`,
      causeOf(all),
      `--- its last output ---`,
      tail,
      `--- end of output of Strapi process ${child.pid} ---`,
    ].join('\n');
  }

  async function assertAlive(graceMs = 0): Promise<void> {
    if (exit === null && !stopRequested) {
      await Promise.race([ended, new Promise((done) => setTimeout(done, graceMs).unref())]);
    }
    const report = crashReport();
    if (report) throw new StrapiProcessDied(report);
  }

  child.stderr?.on('data', append);
  child.stdout?.on('data', append);
  if (onOutput && logFd === null) {
    eachLine(child.stdout!, (line) => line.startsWith('{"serveStrapi"') || onOutput(line, 'stdout'));
    eachLine(child.stderr!, (line) => onOutput(line, 'stderr'));
  }

  return new Promise((resolveStart, rejectStart) => {
    const fail = (why: string) => {
      if (ready) return;
      ready = true;
      stopRequested = true; // reported here, with the output; not a crash report later
      clearTimeout(timer);
      child.kill('SIGKILL');
      rejectStart(new Error(`Strapi process ${child.pid} ${why}\n--- its output ---\n${output().slice(-8000)}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${bootTimeoutMs} ms`), bootTimeoutMs);
    void ended.then(() => fail(`exited during boot (${exitDetail})`));

    eachLine((child.stdio[3] ?? child.stdout) as NodeJS.ReadableStream, (line) => {
      if (ready || !line.trim().startsWith('{"serveStrapi"')) return;
      const message = JSON.parse(line.trim()) as { serveStrapi: string; port: number; pid: number };
      if (message.serveStrapi !== 'ready') return;
      ready = true;
      clearTimeout(timer);
      let stopping: Promise<number | string | null> | null = null;
      resolveStart({
        origin: `http://127.0.0.1:${message.port}`,
        port: message.port,
        pid: message.pid,
        output,
        outputSince: (mark) => output().slice(mark),
        exited: () => exit,
        ended,
        crashReport,
        assertAlive,
        watch: <T>(call: Promise<T>) =>
          call.catch(async (error: unknown) => {
            await assertAlive(3_000);
            throw error;
          }),
        stop(graceMs = 20_000) {
          stopping ??= (async () => {
            if (exit !== null) return exit;
            stopRequested = true;
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            const code = await ended;
            clearTimeout(killer);
            child.stdin!.destroy();
            return code;
          })();
          return stopping;
        },
      });
    });
  });
}

/**
 * Boots the fixture app once in a child process (on a database of its own)
 * and stops it: code 0 when Strapi started, 1 when it refused, with what the
 * process wrote on stderr, and on stdout and stderr together (`log`). Used to
 * prove that bad configuration stops Strapi instead of running half-configured.
 */
export async function bootOnce(options: Omit<ChildOptions, 'mode' | 'database' | 'logFile' | 'onOutput'>): Promise<{ code: number | null; stderr: string; log: string }> {
  await waitForAdminBuild();
  assertPluginFromTarball();
  const database = await createTestDatabase();
  try {
    const child = spawnChild({ ...options, mode: 'child' }, database, true);
    let stderr = '';
    let log = '';
    child.stdout!.on('data', (chunk: string) => (log += chunk));
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      log += chunk;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), options.bootTimeoutMs ?? 180_000);
    const code = await new Promise<number | null>((done) => child.on('exit', (exitCode) => done(exitCode)));
    clearTimeout(killer);
    child.stdin!.destroy();
    return { code, stderr, log };
  } finally {
    await database.drop().catch(() => undefined);
  }
}

/**
 * Call inside a describe(): a test during which one of these processes died
 * fails with its crash report (exit status, FATAL error, last output), and
 * every later test fails at once with a pointer to it — not with a wall of
 * ECONNREFUSED.
 */
export function failOnProcessDeath(processes: () => Array<StrapiProcess | null | undefined>): void {
  const reported = new Set<number>();
  beforeEach(() => {
    for (const child of processes()) {
      if (child?.crashReport() && reported.has(child.pid)) {
        throw new StrapiProcessDied(`Strapi process ${child.pid} died during an earlier test (${child.exited()}); its crash report is in that test's failure`);
      }
    }
  });
  afterEach(async () => {
    for (const child of processes()) {
      if (!child?.crashReport() || reported.has(child.pid)) continue;
      reported.add(child.pid);
      await child.assertAlive();
    }
  });
}
