import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve, sep } from 'node:path';
import type { Core } from '@strapi/strapi';
import { createTestDatabase, type TestDatabase } from './database';

/**
 * The app the suites boot: tests/fixture-app (the plugin loaded from this
 * repository through `resolve:`), or, with REMOTE_AUTH_FIXTURE=<dir> (e.g.
 * tests/compat/strapi-5.24.1, prepared by tests/compat/prepare.js), a compat
 * app with its own Strapi and the plugin installed from the packed tarball.
 */
export const FIXTURE_APP = process.env.REMOTE_AUTH_FIXTURE
  ? resolve(__dirname, '..', '..', process.env.REMOTE_AUTH_FIXTURE)
  : resolve(__dirname, '..', 'fixture-app');

/** Strapi as the app itself resolves it (a compat app has its own version). */
const appRequire = createRequire(join(FIXTURE_APP, 'package.json'));
const { createStrapi } = appRequire('@strapi/strapi') as typeof import('@strapi/strapi');

/** A compat app must load the plugin from its node_modules, never from this repository. */
function assertPluginFromTarball(): void {
  if (!process.env.REMOTE_AUTH_FIXTURE) return;
  const installed = realpathSync(join(FIXTURE_APP, 'node_modules', 'strapi-plugin-remote-auth'));
  if (!installed.startsWith(join(FIXTURE_APP, 'node_modules') + sep)) {
    throw new Error(`${FIXTURE_APP}: the plugin resolves to ${installed}; run "node tests/compat/prepare.js <version>"`);
  }
}
export const CONFIG_KEY = 'plugin::remote-auth';

/**
 * The Super Admin the harness gives every app it boots, as a real app has one
 * before single sign-on may create accounts (no-super-admin). A password
 * account that no identity is linked to; `adminUsers()` leaves it out, so the
 * suites see exactly the accounts they made.
 */
export const FIXTURE_OWNER = { email: 'owner@fixture.example', password: 'Fixture-Owner-1' } as const;

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

/**
 * Boots the fixture app in this process, on its own database, listening on
 * 127.0.0.1 and a free port. One Strapi per process: node's test runner runs
 * each test file in a process of its own.
 */
/** Another process may be rebuilding the fixture admin (ensure-fixture-build); wait for it. */
async function waitForAdminBuild(): Promise<void> {
  const { existsSync } = await import('node:fs');
  const index = join(FIXTURE_APP, 'build', 'index.html');
  for (let waited = 0; !existsSync(index); waited += 1000) {
    if (waited > 180_000) throw new Error(`${index} is missing: run "node tests/harness/ensure-fixture-build.js"`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Creates FIXTURE_OWNER unless the app already has a Super Admin (several instances share one database). */
async function ensureSuperAdmin(strapi: Core.Strapi): Promise<void> {
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

export async function startStrapi(
  options: {
    config?: Record<string, unknown>;
    env?: Record<string, string>;
    database?: TestDatabase;
    /** false: boot without FIXTURE_OWNER (an app whose first administrator does not exist yet). */
    superAdmin?: boolean;
  } = {},
): Promise<TestStrapi> {
  await waitForAdminBuild();
  assertPluginFromTarball();
  const shared = options.database !== undefined;
  const database = options.database ?? (await createTestDatabase());
  Object.assign(process.env, {
    HOST: '127.0.0.1',
    PORT: '0',
    NODE_ENV: process.env.NODE_ENV ?? 'test',
    STRAPI_TELEMETRY_DISABLED: 'true',
    STRAPI_LOG_LEVEL: process.env.STRAPI_LOG_LEVEL ?? 'error',
    REMOTE_AUTH_CONFIG: JSON.stringify(options.config ?? {}),
    ...database.env,
    ...options.env,
  });
  const strapi = createStrapi({ appDir: FIXTURE_APP, distDir: FIXTURE_APP });
  strapi.log.level = process.env.STRAPI_LOG_LEVEL ?? 'error';
  try {
    await strapi.load();
    if (options.superAdmin !== false) await ensureSuperAdmin(strapi);
    await strapi.listen();
  } catch (error) {
    // Never leave a half-started Strapi holding the process open.
    await strapi.destroy().catch(() => undefined);
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
      // Stop accepting requests before closing the database (avoids EPIPE noise).
      await new Promise<void>((done) => strapi.server.httpServer.close(() => done()));
      await strapi.destroy();
      if (!shared) await database.drop();
    },
  };
}

export const fixturePath = (...parts: string[]) => join(FIXTURE_APP, ...parts);
