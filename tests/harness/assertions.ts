import assert from 'node:assert/strict';
import type { TestResponse } from './http';
import { request } from './http';
import type { TestStrapi } from './strapi';

export const SESSION_COOKIES = ['jwtToken', 'strapi_admin_refresh'];

/** A refusal: the expected status, no session cookie of any kind. */
export function assertRefused(res: TestResponse, status: number): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.body.slice(0, 300)}`);
  for (const name of SESSION_COOKIES) assert.equal(res.cookies[name], undefined, `unexpected ${name} cookie`);
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
