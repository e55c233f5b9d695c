import { join, resolve } from 'node:path';
import { createStrapi, type Core } from '@strapi/strapi';
import { createTestDatabase, type TestDatabase } from './database';

export const FIXTURE_APP = resolve(__dirname, '..', 'fixture-app');
export const CONFIG_KEY = 'plugin::remote-auth';

export interface TestStrapi {
  readonly strapi: Core.Strapi;
  readonly origin: string;
  readonly port: number;
  readonly database: TestDatabase;
  /** Replaces the plugin's configuration (validated like boot config on the next request). */
  configure(config: Record<string, unknown>): void;
  createAdmin(user: { email: string; password?: string; roles?: string[]; isActive?: boolean; blocked?: boolean }): Promise<{ id: number; email: string }>;
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

export async function startStrapi(
  options: { config?: Record<string, unknown>; env?: Record<string, string>; database?: TestDatabase } = {},
): Promise<TestStrapi> {
  await waitForAdminBuild();
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
      return strapi.db.query('admin::user').findMany({ populate: ['roles'], orderBy: { id: 'asc' } });
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
