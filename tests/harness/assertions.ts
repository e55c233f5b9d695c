import assert from 'node:assert/strict';
import type { TestResponse } from './http';
import { request } from './http';
import type { TestStrapi } from './strapi';

export const SESSION_COOKIES = ['jwtToken', 'strapi_admin_refresh'];

/**
 * Everything an attack could change: every admin account (the fields that
 * matter for signing in, its password hash and its roles), every identity
 * link and the number of admin sessions. Taken before an attack and compared
 * after it, so a bypass that quietly created, linked or rewrote something is
 * seen even when the response looked like a refusal.
 */
export interface Snapshot {
  readonly users: string[];
  readonly links: string[];
  readonly sessions: number;
}

export async function snapshot(app: TestStrapi): Promise<Snapshot> {
  const knex = app.strapi.db.connection;
  const users = (await app.strapi.db.query('admin::user').findMany({
    select: ['id', 'email', 'firstname', 'lastname', 'username', 'isActive', 'blocked', 'password'],
    populate: { roles: { select: ['code'] } },
    orderBy: { id: 'asc' },
  })) as Array<Record<string, unknown> & { roles?: Array<{ code: string }> }>;
  const links = (await knex('remote_auth_identities').select('source', 'subject', 'user_id').orderBy('id')) as Array<Record<string, unknown>>;
  const sessions = await knex('strapi_sessions').count({ n: '*' }).first();
  return {
    users: users.map(({ roles = [], ...user }) =>
      JSON.stringify({ ...user, isActive: Boolean(user.isActive), blocked: Boolean(user.blocked), roles: roles.map((r) => r.code).sort() }),
    ),
    links: links.map((link) => `${link.source}:${link.subject}→${link.user_id}`),
    sessions: Number(sessions?.n ?? 0),
  };
}

/** No admin account created, changed or deleted, no identity link added or moved, no session started. */
export async function assertUnchanged(app: TestStrapi, before: Snapshot): Promise<void> {
  const after = await snapshot(app);
  assert.deepEqual(after.users, before.users, 'an admin account was created, changed or deleted');
  assert.deepEqual(after.links, before.links, 'an identity link was created or moved');
  assert.equal(after.sessions, before.sessions, 'an admin session was started');
}

/** The refusal code a response carries: JSON `error.details.code`, or the code shown on the HTML page. */
export function refusalCode(res: TestResponse): string | null {
  try {
    return res.json().error?.details?.code ?? null;
  } catch {
    return /<code>([a-z-]+)<\/code>/.exec(res.body)?.[1] ?? null;
  }
}

/** Status and cookies only, for responses whose database side is checked otherwise. */
export function assertNoSession(res: TestResponse, status: number): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.body.slice(0, 300)}`);
  for (const name of SESSION_COOKIES) assert.equal(res.cookies[name], undefined, `unexpected ${name} cookie`);
}

/**
 * A refusal, proven: the expected status and reason code, no session cookie of
 * any kind, and nothing in the database changed since `before`.
 *
 *   const before = await snapshot(app);
 *   const res = await request(…attack…);
 *   await assertRefused(app, before, res, 403, 'untrusted-peer');
 */
export async function assertRefused(app: TestStrapi, before: Snapshot, res: TestResponse, status: number, code?: string): Promise<void> {
  assertNoSession(res, status);
  if (code !== undefined) assert.equal(refusalCode(res), code, `expected refusal code ${code}: ${res.body.slice(0, 300)}`);
  await assertUnchanged(app, before);
}

/** The minted access cookie is a working admin token for exactly `email`. */
export async function assertSignedInAs(app: TestStrapi, res: TestResponse, email: string): Promise<string> {
  assert.ok(res.cookies.jwtToken, `no jwtToken cookie (status ${res.status}): ${res.body.slice(0, 300)}`);
  assert.ok(res.cookies.strapi_admin_refresh, 'no strapi_admin_refresh cookie');
  const me = await request(app.origin, '/admin/users/me', { headers: { Authorization: `Bearer ${res.cookies.jwtToken}` } });
  assert.equal(me.status, 200, me.body);
  assert.equal(me.json().data.email, email);
  return res.cookies.jwtToken;
}

export async function userCount(app: TestStrapi): Promise<number> {
  return (await app.adminUsers()).length;
}

export async function passwordLogin(app: TestStrapi, email: string, password: string): Promise<TestResponse> {
  return request(app.origin, '/admin/login', { method: 'POST', body: { email, password }, headers: { Accept: 'application/json' } });
}
