import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './local-port';

/**
 * A proxy program (nginx, Apache, Caddy) run by a test: in the foreground,
 * from a config generated into a fresh temp dir that holds everything it
 * writes, on 127.0.0.1.
 */
export interface ProxyProgram {
  /** The program's name in messages and in the temp dir's name (`remote-auth-<name>-…`). */
  readonly name: string;
  readonly bin: string;
  /**
   * Port to listen on (default: a free one, tried again up to three times in
   * all when another process takes it before the program binds it).
   */
  readonly port?: number;
  /**
   * Writes the config, and every file it names, into `dir`; returns the config
   * text (for failure messages) and the arguments that run the program in the
   * foreground with it.
   */
  prepare(dir: string, port: number): { readonly config: string; readonly args: readonly string[] };
  /** The program's environment (default: this process's). */
  env?(dir: string): NodeJS.ProcessEnv;
  /** Make the temp dir traversable by other accounts (Apache's workers run as www-data). */
  readonly sharedDir?: boolean;
  /** Its own process group, signalled as a whole: a parent that forks workers. */
  readonly processGroup?: boolean;
  /** Is the program answering on `port` yet? */
  ready(port: number): Promise<boolean>;
  /** How long it may take to become ready, in ms. */
  readonly readyWithin: number;
  /** Names in the temp dir of the error and access logs the config writes. */
  readonly logs?: { readonly error?: string; readonly access?: string };
}

export interface ProxyProcess {
  readonly port: number;
  readonly origin: string;
  /** The generated config, for failure messages. */
  readonly config: string;
  /** What the program wrote to stdout and stderr. */
  output(): string;
  /** Contents of the error log ('' when there is none yet). */
  errorLog(): string;
  /** Contents of the access log ('' when there is none yet). */
  accessLog(): string;
  /** SIGTERM (to the group, with `processGroup`), SIGKILL after 5 s, waits until it is gone, removes the temp dir. */
  stop(): Promise<void>;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Does any process of group `pgid` still exist? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await waitForExit(child, 5_000))) {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  }
}

async function terminateGroup(child: ChildProcess, pgid: number): Promise<void> {
  // SIGTERM to the group: the parent stops its children and exits.
  killGroup(pgid, 'SIGTERM');
  await waitForExit(child, 5_000);
  const deadline = Date.now() + 5_000;
  while (groupAlive(pgid) && Date.now() < deadline) await delay(50);
  if (groupAlive(pgid)) {
    killGroup(pgid, 'SIGKILL');
    await waitForExit(child, 5_000);
    while (groupAlive(pgid)) await delay(50);
  }
}

/** Another process took the port between freePort() and the program's bind(). */
class PortTaken extends Error {}

async function launch(program: ProxyProgram): Promise<ProxyProcess> {
  const dir = mkdtempSync(join(tmpdir(), `remote-auth-${program.name}-`));
  let port: number;
  let config: string;
  let args: readonly string[];
  try {
    if (program.sharedDir) chmodSync(dir, 0o755);
    port = program.port ?? (await freePort());
    ({ config, args } = program.prepare(dir, port));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const read = (name: string | undefined) => {
    const path = name === undefined ? undefined : join(dir, name);
    return path !== undefined && existsSync(path) ? readFileSync(path, 'utf8') : '';
  };
  const errorLog = () => read(program.logs?.error);
  const accessLog = () => read(program.logs?.access);

  const child = spawn(program.bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: program.processGroup ?? false,
    env: program.env?.(dir) ?? process.env,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let spawnError: Error | null = null;
  child.once('error', (error) => (spawnError = error));
  const pgid = program.processGroup ? child.pid : undefined;
  // If the test process dies without calling stop(), do not leave the program behind.
  const onExit = () => (pgid !== undefined ? killGroup(pgid, 'SIGKILL') : child.kill('SIGKILL'));
  process.once('exit', onExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    if (pgid !== undefined) await terminateGroup(child, pgid);
    else await terminate(child);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + program.readyWithin;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      const log = errorLog();
      await stop();
      const message = `${program.name} exited before answering on 127.0.0.1:${port} (${spawnError ?? `code ${child.exitCode}`}):\n${output}\n${log}\n--- config ---\n${config}`;
      throw /Address already in use/.test(output + log) ? new PortTaken(message) : new Error(message);
    }
    if (await program.ready(port)) break;
    if (Date.now() > deadline) {
      const log = errorLog();
      await stop();
      throw new Error(`${program.name} did not answer on 127.0.0.1:${port} within ${program.readyWithin / 1000} s:\n${output}\n${log}\n--- config ---\n${config}`);
    }
    await delay(50);
  }

  return { port, origin: `http://127.0.0.1:${port}`, config, output: () => output, errorLog, accessLog, stop };
}

/**
 * Starts `program` and resolves once it is ready; on failure it is stopped, its
 * temp dir removed, and the error carries its output, error log and config.
 */
export async function startProxyProcess(program: ProxyProgram): Promise<ProxyProcess> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launch(program);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 3 || program.port !== undefined) throw error;
    }
  }
}
