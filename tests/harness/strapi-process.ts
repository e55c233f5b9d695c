/**
 * Strapi as a separate OS process, for tests that need several instances on
 * one database (the way production runs behind a load balancer), or an
 * instance whose database connection the test can cut.
 *
 *   const db = await createTestDatabase('postgres');
 *   const a = await startStrapiProcess({ database: db, config: { autoCreate: true } });
 *   const b = await startStrapiProcess({ database: db, config: { autoCreate: true } });
 *   …
 *   await a.stop(); await b.stop(); await db.drop();
 *
 * The processes never drop the shared database: the test that created it does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeEach } from 'node:test';
import { resolve } from 'node:path';
import type { TestDatabase } from './database';

const ROOT = resolve(__dirname, '..', '..');
const ENTRY = resolve(__dirname, 'serve-strapi.ts');

export interface StrapiProcess {
  readonly origin: string;
  readonly port: number;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Lines written since `mark` (a value of `output().length`). */
  outputSince(mark: number): string;
  /** null while running; the exit code (or signal name) once it ended. */
  exited(): number | string | null;
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
  /** SIGTERM, then waits (SIGKILL after 20 s). Resolves with the exit code; safe to call twice. */
  stop(): Promise<number | string | null>;
}

/** A Strapi process that ended without being asked to; the message carries its exit status and output. */
export class StrapiProcessDied extends Error {
  override readonly name = 'StrapiProcessDied';
}

const OUTPUT_IN_REPORT = 12_000;

/**
 * What the child said about its death: serve-strapi prints a FATAL block for an
 * uncaught exception or unhandled rejection; Node prints the error itself.
 */
function causeOf(output: string): string {
  const fatal = output.lastIndexOf('serve-strapi: FATAL');
  return fatal === -1 ? '(no FATAL line from serve-strapi: see the output below)' : output.slice(fatal, fatal + 4000).split('\nserve-strapi: END FATAL')[0];
}

export interface StrapiProcessOptions {
  database: Pick<TestDatabase, 'kind' | 'env'>;
  /** The plugin configuration (config/plugins), as startStrapi takes it. */
  config?: Record<string, unknown>;
  /** Extra environment for Strapi, e.g. DATABASE_HOST/DATABASE_PORT of a forwarder, STRAPI_LOG_LEVEL. */
  env?: Record<string, string>;
  bootTimeoutMs?: number;
  /** false: no FIXTURE_OWNER (the test registers the first administrator itself). Default true, as startStrapi. */
  superAdmin?: boolean;
}

const running = new Set<ChildProcess>();
// Last line of defence: never leave a Strapi behind when the test process ends.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startStrapiProcess(options: StrapiProcessOptions): Promise<StrapiProcess> {
  const { database, config = {}, env = {}, bootTimeoutMs = 180_000, superAdmin = true } = options;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SERVE_STRAPI: JSON.stringify({ database: { kind: database.kind, env: database.env }, config, env, superAdmin }),
  };
  // We are often run by `node --test`: the child is a server, not a test file.
  delete childEnv.NODE_TEST_CONTEXT;

  const child = spawn(process.execPath, ['--stack-trace-limit=40', '--import', 'tsx', ENTRY], { cwd: ROOT, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  let exit: number | string | null = null;
  let exitDetail = '';
  let stopRequested = false;
  const exitedPromise = new Promise<number | string | null>((done) => {
    child.on('exit', (code, signal) => {
      exit = code ?? signal ?? 'unknown';
      exitDetail = signal ? `killed by ${signal}` : `exit code ${code}`;
      running.delete(child);
      if (!stopRequested && ready) {
        // Also on the test's stderr at once: the evidence is printed even if no test looks.
        process.stderr.write(`\n${crashReport()}\n`);
      }
      done(exit);
    });
  });
  let ready = false;

  function crashReport(): string | null {
    if (exit === null || stopRequested) return null;
    const tail = output.length > OUTPUT_IN_REPORT ? `…${output.slice(-OUTPUT_IN_REPORT)}` : output;
    return [
      `Strapi process ${child.pid} exited unexpectedly (${exitDetail}).`,
      `--- cause ---`,
      causeOf(output),
      `--- its last output ---`,
      tail,
      `--- end of output of Strapi process ${child.pid} ---`,
    ].join('\n');
  }

  async function assertAlive(graceMs = 0): Promise<void> {
    if (exit === null && !stopRequested) {
      await Promise.race([exitedPromise, new Promise((done) => setTimeout(done, graceMs).unref())]);
    }
    const report = crashReport();
    if (report) throw new StrapiProcessDied(report);
  }
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (output += chunk));
  child.stdin!.on('error', () => {}); // EPIPE when the child is gone

  return new Promise((resolveStart, rejectStart) => {
    let pending = '';
    const fail = (why: string) => {
      if (ready) return;
      ready = true;
      stopRequested = true; // reported here, with the output; not a crash report later
      clearTimeout(timer);
      child.kill('SIGKILL');
      rejectStart(new Error(`Strapi process ${child.pid} ${why}\n--- its output ---\n${output.slice(-8000)}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${bootTimeoutMs} ms`), bootTimeoutMs);
    void exitedPromise.then(() => fail(`exited during boot (${exitDetail})`));

    child.stdout!.on('data', (chunk: string) => {
      output += chunk;
      if (ready) return;
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (!line.startsWith('{"serveStrapi"')) continue;
        const message = JSON.parse(line) as { serveStrapi: string; port: number; pid: number };
        if (message.serveStrapi !== 'ready') continue;
        ready = true;
        clearTimeout(timer);
        let stopping: Promise<number | string | null> | null = null;
        resolveStart({
          origin: `http://127.0.0.1:${message.port}`,
          port: message.port,
          pid: message.pid,
          output: () => output,
          outputSince: (mark) => output.slice(mark),
          exited: () => exit,
          crashReport,
          assertAlive,
          watch: <T>(call: Promise<T>) =>
            call.catch(async (error: unknown) => {
              await assertAlive(3_000);
              throw error;
            }),
          stop() {
            stopping ??= (async () => {
              if (exit !== null) return exit;
              stopRequested = true;
              child.kill('SIGTERM');
              const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
              const code = await exitedPromise;
              clearTimeout(killer);
              child.stdin!.destroy();
              return code;
            })();
            return stopping;
          },
        });
        return;
      }
    });
  });
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
