/**
 * `npm run demo`: Strapi (the fixture app, with this plugin) behind the SSO
 * simulator, so anyone can try the single sign-on without a real proxy.
 *
 *   browser ─► SSO simulator :8080 ─► Strapi :1337 (remote-auth plugin)
 *
 * Ports: DEMO_PORT (simulator, 8080) and DEMO_STRAPI_PORT (Strapi, 1337).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { FIXTURE_APP, startStrapi, type StrapiProcess } from '../harness/strapi';
import { startSsoSimulator, type SsoSimulator } from './sso-simulator';

const HOST = '127.0.0.1';
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
  let strapi: StrapiProcess | null = null;
  let simulator: SsoSimulator | null = null;
  let stopping = false;

  // Whatever ends this process, the harness never leaves Strapi running behind it.
  const stop = async (reason: string, exitCode = 0): Promise<never> => {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    say(`${reason}: stopping…`);
    // Asked at once (Ctrl-C also reaches Strapi itself: its exit is then no crash).
    const strapiStopped = strapi?.stop(STOP_TIMEOUT_MS);
    await simulator?.close();
    await strapiStopped;
    say('stopped.');
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(`received ${signal}`));

  try {
    strapi = await startStrapi({
      mode: 'child',
      database: { kind: 'sqlite', env: { TEST_DB: 'sqlite', DATABASE_FILENAME: databaseFile } },
      config: pluginConfig,
      env: { HOST, PORT: String(strapiPort), NODE_ENV: 'development', STRAPI_LOG_LEVEL: 'http' },
      // The demo registers its first administrator itself, through Strapi's own route (below).
      superAdmin: false,
      bootTimeoutMs: STARTUP_TIMEOUT_MS,
      onOutput: (line, stream) => (stream === 'stdout' ? console.log(`[strapi] ${line}`) : console.error(`[strapi] ${line}`)),
    });
  } catch (error) {
    if (stopping) return;
    console.error(`[demo] Strapi did not start: ${(error as Error).message.split('\n')[0]}`);
    await stop('startup failed', 1);
    return;
  }
  const started = strapi;

  // Strapi ended by itself (crash, port taken, …): end the demo with its exit code.
  void started.ended.then(async (code) => {
    if (stopping) return;
    stopping = true;
    await simulator?.close();
    console.error(`[demo] Strapi exited (${typeof code === 'string' ? `signal ${code}` : `code ${code}`}); stopping the demo.`);
    process.exit(typeof code === 'number' ? code : 1);
  });
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
