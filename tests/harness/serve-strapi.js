'use strict';
/**
 * How the harness boots the fixture app. tests/harness/strapi.ts is the API
 * (`startStrapi`, in-process or as a child process); this file is plain
 * JavaScript so that a Strapi child process runs without a TypeScript loader,
 * as `strapi start` would.
 *
 * - required: `bootFixture(spec)` boots the app in the calling process (the
 *   in-process mode of startStrapi);
 * - run as a program: the child-process entry. It boots the app as given in
 *   SERVE_STRAPI, prints one JSON line `{"serveStrapi":"ready","port":…,"pid":…}`
 *   on stdout, and stops cleanly on SIGTERM/SIGINT or when its parent goes
 *   away (stdin closes). With `"once": true` it stops as soon as Strapi
 *   started (exit code 0), to prove a configuration boots.
 *
 * SERVE_STRAPI = { "database": { "env" }, "config": {…}, "env": {…}, "superAdmin": bool, "once": bool, "readyFd": 3 }
 * The database is the parent's: this process never drops it.
 */
const { createRequire } = require('node:module');
const { join, resolve } = require('node:path');

/**
 * The app the suites boot: tests/fixture-app (the plugin loaded from this
 * repository through `resolve:`), or, with REMOTE_AUTH_FIXTURE=<dir> (e.g.
 * tests/compat/strapi-5.24.1, prepared by tests/compat/prepare.js), a compat
 * app with its own Strapi and the plugin installed from the packed tarball.
 */
const FIXTURE_APP = process.env.REMOTE_AUTH_FIXTURE
  ? resolve(__dirname, '..', '..', process.env.REMOTE_AUTH_FIXTURE)
  : resolve(__dirname, '..', 'fixture-app');

/**
 * The Super Admin the harness gives every app it boots, as a real app has one
 * before single sign-on may create accounts (no-super-admin). A password
 * account that no identity is linked to.
 */
const FIXTURE_OWNER = Object.freeze({ email: 'owner@fixture.example', password: 'Fixture-Owner-1' });

/** Creates FIXTURE_OWNER unless the app already has a Super Admin (several instances share one database). */
async function ensureSuperAdmin(strapi) {
  const superAdmin = await strapi.db.query('admin::role').findOne({ where: { code: 'strapi-super-admin' } });
  const holders = await strapi.db.query('admin::user').count({ where: { roles: { code: 'strapi-super-admin' } } });
  if (holders > 0) return;
  await strapi.service('admin::user').create({
    email: FIXTURE_OWNER.email,
    firstname: 'Owner',
    password: FIXTURE_OWNER.password,
    roles: [superAdmin.id],
    isActive: true,
    registrationToken: null,
  });
}

/**
 * Sets the environment the fixture app reads (127.0.0.1, PORT 0 unless
 * `env` says otherwise, the plugin options in REMOTE_AUTH_CONFIG, the
 * database), then loads Strapi, creates FIXTURE_OWNER unless `superAdmin` is
 * false, and listens. A Strapi that fails to start is destroyed before the
 * error is thrown.
 *
 * @param {{ config?: object, env?: Record<string, string>, databaseEnv?: Record<string, string>, superAdmin?: boolean }} spec
 */
async function bootFixture(spec) {
  Object.assign(process.env, {
    HOST: '127.0.0.1',
    PORT: '0',
    NODE_ENV: process.env.NODE_ENV ?? 'test',
    STRAPI_TELEMETRY_DISABLED: 'true',
    STRAPI_LOG_LEVEL: process.env.STRAPI_LOG_LEVEL ?? 'error',
    REMOTE_AUTH_CONFIG: JSON.stringify(spec.config ?? {}),
    ...spec.databaseEnv,
    ...spec.env,
  });
  // Strapi as the app itself resolves it (a compat app has its own version).
  const { createStrapi } = createRequire(join(FIXTURE_APP, 'package.json'))('@strapi/strapi');
  const strapi = createStrapi({ appDir: FIXTURE_APP, distDir: FIXTURE_APP });
  strapi.log.level = process.env.STRAPI_LOG_LEVEL ?? 'error';
  try {
    await strapi.load();
    if (spec.superAdmin !== false) await ensureSuperAdmin(strapi);
    await strapi.listen();
  } catch (error) {
    // Never leave a half-started Strapi holding the process open.
    await strapi.destroy().catch(() => undefined);
    throw error;
  }
  return strapi;
}

/** Stops accepting requests before closing the database (avoids EPIPE noise), then destroys Strapi. */
async function stopFixture(strapi) {
  await new Promise((done) => strapi.server.httpServer.close(() => done()));
  await strapi.destroy();
}

/**
 * The evidence when this process dies of an error: Node ends the process on an
 * uncaught exception, an unhandled promise rejection or an 'error' event with
 * no listener. The monitor only watches (Node still exits as it would without
 * us); it prints everything the error carries, between FATAL and END FATAL
 * lines the harness quotes in the failing test.
 */
function describeError(error, depth = 0) {
  if (!(error instanceof Error)) return `a non-Error value: ${String(error)}`;
  const extra = Object.entries(error)
    .filter(([key]) => !['stack', 'message', 'cause'].includes(key))
    .map(([key, value]) => `  ${key}: ${typeof value === 'object' ? JSON.stringify(value)?.slice(0, 300) : String(value)}`);
  const cause = error.cause !== undefined && depth < 3 ? [`  caused by: ${describeError(error.cause, depth + 1)}`] : [];
  return [error.stack ?? `${error.name}: ${error.message}`, ...extra, ...cause].join('\n');
}

function serve() {
  const spec = JSON.parse(process.env.SERVE_STRAPI ?? 'null');
  if (!spec?.database) {
    process.stderr.write('serve-strapi: SERVE_STRAPI must give { database: { env } }\n');
    process.exit(2);
  }
  process.on('uncaughtExceptionMonitor', (error, origin) => {
    process.stderr.write(
      `\nserve-strapi: FATAL ${origin} (Node ends the process) at ${new Date().toISOString()}:\n${describeError(error)}\nserve-strapi: END FATAL\n`,
    );
  });
  process.on('exit', (code) => process.stderr.write(`serve-strapi: process exits with code ${code}\n`));

  let strapi = null;
  let stopping = false;
  async function shutdown(reason) {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`serve-strapi: stopping (${reason})\n`);
    // Never hang the parent's clean-up: give Strapi 15 s to close.
    setTimeout(() => {
      process.stderr.write('serve-strapi: Strapi did not stop within 15 s\n');
      process.exit(1);
    }, 15_000).unref();
    try {
      // Asked to stop while booting: just exit (the database connection goes with the process).
      if (strapi) await stopFixture(strapi);
      process.exit(0);
    } catch (error) {
      process.stderr.write(`serve-strapi: stop failed: ${error?.stack ?? error}\n`);
      process.exit(1);
    }
  }
  const onSignals = () => {
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
  };
  onSignals();
  // The parent keeps our stdin open; if it dies, we go too (no stray Strapis).
  process.stdin.on('end', () => void shutdown('parent went away'));
  process.stdin.on('error', () => void shutdown('parent went away'));
  process.stdin.resume();

  bootFixture({ config: spec.config ?? {}, env: spec.env ?? {}, databaseEnv: spec.database.env, superAdmin: spec.superAdmin }).then(
    (started) => {
      strapi = started;
      // Strapi adds signal handlers of its own that destroy it without closing
      // the HTTP server first; ours closes the server, then Strapi, exactly once.
      process.removeAllListeners('SIGTERM');
      process.removeAllListeners('SIGINT');
      onSignals();
      const { port } = strapi.server.httpServer.address();
      const ready = `${JSON.stringify({ serveStrapi: 'ready', port, pid: process.pid })}\n`;
      process.stdout.write(ready);
      // stdout may go straight to a log file: then the parent reads the ready line on this pipe.
      if (spec.readyFd) require('node:fs').writeSync(spec.readyFd, ready);
      if (spec.once) void shutdown('booted once');
    },
    (error) => {
      process.stderr.write(`serve-strapi: BOOT FAILED: ${error?.stack ?? error?.message ?? error}\n`);
      process.exit(1);
    },
  );
}

module.exports = { FIXTURE_APP, FIXTURE_OWNER, bootFixture, stopFixture };

if (require.main === module) serve();
