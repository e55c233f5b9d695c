/**
 * HTTP set-up of a bench server (register the admin, sign in, seed articles)
 * and the requests the benchmarks send.
 */
import http from 'node:http';
import { ADMIN, ARTICLES, BenchError, HEADER, NAVIGATION } from './bench';
import type { Target } from './load';
import type { ServerProcess } from './processes';

export async function call(proc: ServerProcess, path: string, init: RequestInit & { expect: number }): Promise<Response> {
  const response = await fetch(`${proc.origin}${path}`, { redirect: 'manual', ...init, signal: AbortSignal.timeout(30_000) });
  if (response.status !== init.expect) {
    throw new BenchError(`${proc.name}: ${init.method ?? 'GET'} ${path} answered ${response.status}, not ${init.expect}: ${(await response.text()).slice(0, 300)}`);
  }
  return response;
}

export const json = { 'content-type': 'application/json' };

export async function registerAdmin(proc: ServerProcess): Promise<void> {
  await call(proc, '/admin/register-admin', { method: 'POST', headers: json, body: JSON.stringify(ADMIN), expect: 200 });
}

export async function passwordToken(proc: ServerProcess): Promise<string> {
  const response = await call(proc, '/admin/login', { method: 'POST', headers: json, body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }), expect: 200 });
  return ((await response.json()) as { data: { token: string } }).data.token;
}

/**
 * A session minted by the hand-off, as the browser gets it: the readable access-token cookie.
 * Sent with node:http, not fetch: fetch adds its own `Sec-Fetch-Mode: cors`, and the
 * sign-in route only answers top-level navigations.
 */
export async function handOffToken(proc: ServerProcess, identity: string): Promise<string> {
  const { status, setCookies, body } = await new Promise<{ status: number; setCookies: string[]; body: string }>((resolve, reject) => {
    const req = http.get(`${proc.origin}/remote-auth/login`, { headers: { ...NAVIGATION, [HEADER]: identity }, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookies: res.headers['set-cookie'] ?? [], body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
  if (status !== 302) throw new BenchError(`${proc.name}: GET /remote-auth/login answered ${status}, not 302: ${body.slice(0, 300)}`);
  const cookie = setCookies.find((c) => c.startsWith('jwtToken='));
  if (!cookie) throw new BenchError(`${proc.name}: the hand-off set no jwtToken cookie`);
  return cookie.slice('jwtToken='.length).split(';')[0];
}

export async function seedArticles(proc: ServerProcess, token: string): Promise<void> {
  for (let i = 1; i <= ARTICLES; i++) {
    await call(proc, '/content-manager/collection-types/api::article.article', {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${token}` },
      body: JSON.stringify({ title: `Bench article ${i}`, body: `Body of bench article ${i}. `.repeat(20) }),
      expect: 201,
    });
  }
  const listed = (await (await call(proc, '/api/articles', { expect: 200 })).json()) as { data: unknown[] };
  if (listed.data.length !== ARTICLES) throw new BenchError(`${proc.name}: /api/articles lists ${listed.data.length} articles, not ${ARTICLES}`);
}

// ---------------------------------------------------------------- scenarios

export const articles = (proc: ServerProcess): Target => ({ url: `${proc.origin}/api/articles`, expect: 200 });
export const me = (proc: ServerProcess, headers: Record<string, string>): Target => ({ url: `${proc.origin}/admin/users/me`, headers, expect: 200 });
export const handOff = (proc: ServerProcess): Target => ({ url: `${proc.origin}/remote-auth/login`, headers: { ...NAVIGATION, [HEADER]: ADMIN.email }, expect: 302 });
export const passwordLogin = (proc: ServerProcess): Target => ({
  url: `${proc.origin}/admin/login`,
  method: 'POST',
  headers: json,
  body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
  expect: 200,
});
export const strictBearer = async (proc: ServerProcess): Promise<Target> =>
  me(proc, { authorization: `Bearer ${await handOffToken(proc, ADMIN.email)}`, [HEADER]: ADMIN.email });
