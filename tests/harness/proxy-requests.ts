/**
 * What the proxy end-to-end suites (nginx, Apache, Caddy in front of Strapi)
 * send and check: Basic credentials, raw header lists with exact spellings,
 * and whether a response started an admin session.
 */
import assert from 'node:assert/strict';
import { SESSION_COOKIES } from './assertions';
import { BROWSER, type TestResponse } from './http';

/** An `Authorization: Basic …` value. */
export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * Header list with exact spellings and duplicates, as a browser navigation.
 * Node does not add `Host` to a raw list, and nginx answers 400 to an
 * HTTP/1.1 request without it.
 */
export const raw = (...pairs: string[]): string[] => ['Host', '127.0.0.1', 'Accept', BROWSER.Accept, ...pairs];

/** No session cookie at all: neither set nor cleared (no session Set-Cookie line of any kind). */
export function assertNoSession(res: TestResponse, label: string): void {
  for (const name of SESSION_COOKIES) {
    assert.equal(res.cookies[name], undefined, `${label}: must not set ${name} (Set-Cookie: ${JSON.stringify(res.setCookies)})`);
  }
  const sessionLines = res.setCookies.filter((line) => SESSION_COOKIES.some((name) => line.startsWith(`${name}=`)));
  assert.deepEqual(sessionLines, [], `${label}: no session Set-Cookie lines at all`);
}

/** No session cookie set; lines that clear one (`name=;`) are allowed. */
export function assertNoSessionGranted(res: TestResponse, label: string): void {
  const lines = res.setCookies.filter((line) => SESSION_COOKIES.some((name) => line.startsWith(`${name}=`) && !line.startsWith(`${name}=;`)));
  assert.deepEqual(lines, [], `${label}: no session cookie may be set (Set-Cookie: ${JSON.stringify(res.setCookies)})`);
}

/** Both session cookies set; returns the access token. */
export function assertSession(res: TestResponse, label: string): string {
  for (const name of SESSION_COOKIES) {
    assert.ok(res.cookies[name], `${label}: expected a ${name} cookie, got ${JSON.stringify(res.setCookies)}`);
  }
  return res.cookies.jwtToken;
}
