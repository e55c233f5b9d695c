/**
 * `npm run demo`: Strapi (the fixture app, with this plugin) behind the SSO
 * simulator, so anyone can try the single sign-on without a real proxy.
 *
 *   browser ─► SSO simulator :8080 ─► Strapi :1337 (remote-auth plugin)
 *
 * Ports: DEMO_PORT (simulator, 8080) and DEMO_STRAPI_PORT (Strapi, 1337).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startSsoSimulator, type SsoSimulator } from './sso-simulator';

const HOST = '127.0.0.1';
const FIXTURE_APP = resolve(__dirname, '..', 'fixture-app');
const SECRET_HEADER = 'X-Remote-Auth-Secret';
/** The group the demo maps to Super Admin (offered in the simulator's form). */
const DEMO_ADMINS = 'demo-admins';
const STARTUP_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 10_000;

const say = (line: string): void => console.log(`[demo] ${line}`);

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`[demo] ${name} must be a port number (1-65535), got "${raw}"`);
    process.exit(2);
  }
  return value;
}

/**
 * Starts Strapi the way `strapi start` does for a JavaScript app. The CLI
 * itself (node_modules/@strapi/strapi/bin/strapi.js start) cannot be used: the
 * fixture app's tsconfig.json makes it look for a TypeScript build output.
 */
const STRAPI_LAUNCHER = join(__dirname, 'start-strapi.js');

/** True when something already accepts connections on the port (another Strapi would fool the health check). */
function portTaken(portNumber: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = net.connect({ host: HOST, port: portNumber });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function healthy(origin: string): Promise<boolean> {
  return new Promise((done) => {
    const req = http.get(`${origin}/_health`, { agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      done(res.statusCode === 204);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
  });
}

function prefixLines(stream: NodeJS.ReadableStream, write: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', write);
}

/**
 * Single sign-on creates accounts only once the app has a Super Admin
 * (no-super-admin). A fresh demo database has none, so the demo registers one
 * through Strapi's own first-administrator route and returns its credentials;
 * null when the app already had an admin.
 */
async function ensureFirstAdministrator(origin: string): Promise<{ email: string; password: string } | null> {
  const init = (await (await fetch(`${origin}/admin/init`)).json()) as { data?: { hasAdmin?: boolean } };
  if (init.data?.hasAdmin !== false) return null;
  const owner = { email: 'demo-owner@example.com', password: `Demo-${randomBytes(9).toString('base64url')}1`, firstname: 'Demo', lastname: 'Owner' };
  const registered = await fetch(`${origin}/admin/register-admin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(owner) });
  if (!registered.ok) throw new Error(`registering the demo's first administrator failed: ${registered.status} ${(await registered.text()).slice(0, 200)}`);
  say(`created the first administrator (a Super Admin): ${owner.email}`);
  return { email: owner.email, password: owner.password };
}

async function main(): Promise<void> {
  const demoPort = port('DEMO_PORT', 8080);
  const strapiPort = port('DEMO_STRAPI_PORT', 1337);
  const strapiOrigin = `http://${HOST}:${strapiPort}`;

  for (const [name, portNumber] of [['DEMO_STRAPI_PORT', strapiPort], ['DEMO_PORT', demoPort]] as const) {
    if (await portTaken(portNumber)) {
      console.error(`[demo] port ${portNumber} on ${HOST} is already in use; stop what runs there or set ${name}.`);
      process.exit(1);
    }
  }

  const secret = randomBytes(24).toString('base64url');
  const databaseFile = join(FIXTURE_APP, '.tmp', 'demo.db');
  mkdirSync(dirname(databaseFile), { recursive: true });

  // Everyone becomes an Editor; whoever types the group DEMO_ADMINS in the
  // simulator's form becomes a Super Admin and so sees the plugin's settings
  // page. allowSuperAdminMapping is what lets a group grant Super Admin: fine
  // for a demo on 127.0.0.1, a deliberate choice in production (README).
  const pluginConfig = {
    autoCreate: true,
    defaultRoles: ['strapi-editor'],
    groupsHeader: 'Remote-Groups',
    groupRoles: { [DEMO_ADMINS]: ['strapi-super-admin'] },
    allowSuperAdminMapping: true,
    sharedSecret: { header: SECRET_HEADER, value: secret },
    trustedProxies: ['127.0.0.1/32'],
  };

  say(`starting Strapi from ${FIXTURE_APP} on ${strapiOrigin} (database ${databaseFile})…`);
  const child: ChildProcess = spawn(process.execPath, [STRAPI_LAUNCHER], {
    cwd: FIXTURE_APP,
    env: {
      ...process.env,
      HOST,
      PORT: String(strapiPort),
      NODE_ENV: 'development',
      DATABASE_FILENAME: databaseFile,
      REMOTE_AUTH_CONFIG: JSON.stringify(pluginConfig),
      STRAPI_TELEMETRY_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(child.stdout!, (line) => console.log(`[strapi] ${line}`));
  prefixLines(child.stderr!, (line) => console.error(`[strapi] ${line}`));

  // Whatever ends this process, never leave Strapi running behind it.
  process.on('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  let simulator: SsoSimulator | null = null;
  let stopping = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  child.once('error', (error) => {
    console.error(`[demo] could not start Strapi: ${error.message}`);
    process.exit(1);
  });

  const stop = async (reason: string, exitCode = 0): Promise<never> => {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    say(`${reason}: stopping…`);
    await simulator?.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        say('Strapi did not stop in time; killing it');
        child.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    say('stopped.');
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(`received ${signal}`));

  // Strapi ended by itself (crash, port taken, …): end the demo with its exit code.
  void exited.then(async ({ code, signal }) => {
    if (stopping) return;
    stopping = true;
    await simulator?.close();
    console.error(`[demo] Strapi exited (${signal ? `signal ${signal}` : `code ${code}`}); stopping the demo.`);
    process.exit(code ?? 1);
  });

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await healthy(strapiOrigin))) {
    if (stopping) return;
    if (Date.now() > deadline) {
      console.error(`[demo] Strapi did not answer ${strapiOrigin}/_health within ${STARTUP_TIMEOUT_MS / 1000} s`);
      await stop('startup timed out', 1);
      return;
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  if (stopping) return;
  const owner = await ensureFirstAdministrator(strapiOrigin);

  try {
    simulator = await startSsoSimulator({
      listenPort: demoPort,
      listenHost: HOST,
      upstream: strapiOrigin,
      secret: { header: SECRET_HEADER, value: secret },
      groupsHeader: 'Remote-Groups',
      suggestedGroups: [{ group: DEMO_ADMINS, meaning: 'Super Admin: sees Settings → Remote authentication (any other group, or none: Editor)' }],
      log: (line) => say(`sso: ${line}`),
    });
  } catch (error) {
    console.error(`[demo] could not start the SSO simulator on ${HOST}:${demoPort}: ${(error as Error).message}`);
    await stop('simulator failed', 1);
    return;
  }
  if (stopping) {
    await simulator.close();
    return;
  }

  const rule = '─'.repeat(72);
  console.log(
    [
      '',
      rule,
      `  Open ${simulator.url}/admin — sign in as any e-mail address`,
      `  (the SSO simulator sends it to Strapi in the Remote-User header; new people become Editors)`,
      '',
      `  To see the plugin's settings, sign in with the group "${DEMO_ADMINS}" (a Super Admin), then`,
      `  Settings → Global settings → Remote authentication: ${simulator.url}/admin/settings/remote-auth`,
      '',
      `  Strapi itself (password login, no SSO) at ${strapiOrigin}/admin`,
      ...(owner ? [`  (its first administrator, created for this demo: ${owner.email} / ${owner.password})`] : []),
      `  Sign out of the simulated SSO at ${simulator.url}/_sso/logout`,
      '',
      '  Press Ctrl-C to stop the demo (Strapi and the simulator).',
      rule,
      '',
    ].join('\n'),
  );
}

main().catch((error: Error) => {
  console.error(`[demo] ${error.stack ?? error}`);
  process.exit(1);
});
