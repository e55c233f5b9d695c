/**
 * The processes the bench measures: real Strapi servers started from the
 * fixture app by the test harness in child-process mode (tests/harness/strapi.ts,
 * plain node, NODE_ENV=production, Strapi's own log level), and a bare
 * node:http server for B0. Every process is tracked and stopped; a crash is
 * reported, never ignored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { TestDatabase } from '../../tests/harness/database';
import { startStrapi as startHarnessStrapi } from '../../tests/harness/strapi';

export const ROOT = resolve(__dirname, '..', '..');
const BARE_SERVER = join(__dirname, 'bare-server.js');

const running = new Set<ChildProcess>();
// Last line of defence: never leave a server behind when the bench ends.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ServerProcess {
  readonly name: string;
  readonly origin: string;
  readonly port: number;
  readonly pid: number;
  readonly logFile: string;
  /** Resident set size now (VmRSS) and its peak so far (VmHWM), in kB; null once exited. */
  memory(): { rssKb: number; hwmKb: number } | null;
  /** CPU time (user + system) used so far, in seconds; null once exited. */
  cpuSeconds(): number | null;
  /** null while running (or after a requested stop); why it ended otherwise. */
  crashed(): string | null;
  /** SIGTERM, wait (SIGKILL after `graceMs`). Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines of its log, for error reports. */
  tail(lines?: number): string;
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function readStatus(pid: number): { rssKb: number; hwmKb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return null;
  }
}

const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

/** The fields of /proc/<pid>/stat after the parenthesised command name (field 3 is at index 0). */
const statFields = (stat: string): string[] => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

export function cpuSecondsOf(pid: number): number | null {
  try {
    // utime and stime are fields 14 and 15.
    const fields = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by all live processes with one of these command names (e.g. the database
 * server), and by the children they reaped: PostgreSQL serves each connection in a process of its
 * own, whose time goes to the postmaster's cutime and cstime (fields 16 and 17) when it ends.
 */
export function cpuSecondsOfCommands(names: readonly string[]): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!names.includes(command)) continue;
      const fields = statFields(stat);
      total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Busy and total CPU seconds of the whole machine since boot (/proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number; steal: number } | null {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy: busy / CLOCK_TICKS, total: (busy + idle + iowait) / CLOCK_TICKS, steal: steal / CLOCK_TICKS };
  } catch {
    return null;
  }
}

function track(name: string, child: ChildProcess, port: number, logFile: string, logFd: number): ServerProcess {
  running.add(child);
  let exit: string | null = null;
  let stopRequested = false;
  const exited = new Promise<void>((done) =>
    child.on('exit', (code, signal) => {
      exit = `exited with ${code ?? signal}`;
      running.delete(child);
      closeSync(logFd);
      done();
    }),
  );
  child.stdin?.on('error', () => {}); // EPIPE once it is gone
  let stopping: Promise<void> | null = null;
  return {
    name,
    port,
    origin: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    logFile,
    memory: () => (exit === null ? readStatus(child.pid as number) : null),
    cpuSeconds: () => (exit === null ? cpuSecondsOf(child.pid as number) : null),
    crashed: () => (stopRequested ? null : exit),
    tail(lines = 40) {
      try {
        return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    stop(graceMs = 20_000) {
      stopRequested = true;
      stopping ??= (async () => {
        if (exit !== null) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(killer);
        child.stdin?.destroy();
      })();
      return stopping;
    },
  };
}

async function waitForHealth(proc: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crashed = proc.crashed();
    if (crashed) throw new Error(`${proc.name} ${crashed} while booting; log ${proc.logFile}:\n${proc.tail()}`);
    try {
      const response = await fetch(`${proc.origin}/_health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 204) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proc.stop(2_000);
      throw new Error(`${proc.name} did not answer /_health within ${timeoutMs / 1000} s; log ${proc.logFile}:\n${proc.tail()}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

export interface StrapiOptions {
  readonly name: string;
  readonly database: Pick<TestDatabase, 'kind' | 'env'>;
  /** Plugin options (REMOTE_AUTH_CONFIG). */
  readonly config?: Record<string, unknown>;
  /** false: REMOTE_AUTH_ENABLED=false, the plugin is not loaded at all. */
  readonly pluginEnabled?: boolean;
  readonly logDir: string;
  /** Start node with --cpu-prof; the profile is written when the process exits. */
  readonly cpuProfile?: { dir: string; name: string };
  readonly bootTimeoutMs?: number;
  /** Extra environment for this process alone. */
  readonly env?: Record<string, string>;
}

export async function startStrapi(options: StrapiOptions): Promise<ServerProcess> {
  const logFile = join(options.logDir, `${options.name}.log`);
  const app = await startHarnessStrapi({
    mode: 'child',
    database: options.database,
    config: options.config ?? {},
    env: {
      NODE_ENV: 'production',
      // Strapi's own default (the harness's is "error"): a production server logs every request.
      STRAPI_LOG_LEVEL: 'http',
      STRAPI_DISABLE_UPDATE_NOTIFICATION: 'true',
      ADMIN_RATE_LIMIT: 'false',
      REMOTE_AUTH_ENABLED: options.pluginEnabled === false ? 'false' : 'true',
      ...options.env,
    },
    // The bench registers its own first administrator.
    superAdmin: false,
    nodeArgs: options.cpuProfile
      ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfile.dir, '--cpu-prof-name', options.cpuProfile.name]
      : [],
    bootTimeoutMs: options.bootTimeoutMs ?? 180_000,
    logFile,
  });
  const tail = (lines = 40) => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };
  return {
    name: options.name,
    origin: app.origin,
    port: app.port,
    pid: app.pid,
    logFile,
    memory: () => (app.exited() === null ? readStatus(app.pid) : null),
    cpuSeconds: () => (app.exited() === null ? cpuSecondsOf(app.pid) : null),
    crashed: () => (app.crashReport() ? `exited with ${app.exited()}` : null),
    tail,
    async stop(graceMs = 20_000) {
      await app.stop(graceMs);
    },
  };
}

export async function startBareServer(logDir: string): Promise<ServerProcess> {
  const port = await freePort();
  const logFile = join(logDir, 'bare-node-http.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [BARE_SERVER, String(port)], { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['pipe', logFd, logFd] });
  const proc = track('bare node:http', child, port, logFile, logFd);
  await waitForHealth(proc, 10_000);
  return proc;
}

export const profilePath = (dir: string, name: string): string | null => (existsSync(join(dir, name)) ? join(dir, name) : null);
