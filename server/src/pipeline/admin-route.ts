/**
 * Which of Strapi's admin API routes a request reaches, matched the way
 * Strapi's router matches it — so a guard sees exactly the requests the
 * route's controller sees, no more and no fewer (T20).
 *
 * Strapi mounts admin routes with @koa/router's default options under the
 * fixed prefix `/admin` (`@strapi/core` register-routes; `admin.url` moves the
 * panel, not these routes). @koa/router compiles each path with
 * path-to-regexp 6 (`sensitive: false`, `strict: false`, `end: true`) and tests
 * it against Koa's `ctx.path`, which is not percent-decoded. So `/admin/login`
 * is also reached as `/admin/login/`, `/admin/LOGIN` and `/ADMIN/Login`, but
 * not as `/admin//login`, `/admin/%6cogin` or `/admin/login//`.
 * (tests/unit/admin-route.test.ts checks this against @koa/router itself.)
 */
export const ADMIN_API_PREFIX = '/admin';

/** The admin routes that start an admin session or lead to one. */
export type SessionRoute = 'login' | 'register' | 'register-admin' | 'forgot-password' | 'reset-password' | 'access-token';
/** Routes that mint an admin token: a credential of its own, which no identity header stands behind. */
export type TokenRoute = 'create-admin-token' | 'regenerate-admin-token';
export type AdminRoute = SessionRoute | TokenRoute | 'logout';

export const isSessionRoute = (route: AdminRoute | null): route is SessionRoute =>
  route !== null && route !== 'logout' && route !== 'create-admin-token' && route !== 'regenerate-admin-token';

const ROUTES: Readonly<Record<AdminRoute, string>> = {
  login: '/login',
  register: '/register',
  'register-admin': '/register-admin',
  'forgot-password': '/forgot-password',
  'reset-password': '/reset-password',
  'access-token': '/access-token',
  logout: '/logout',
  'create-admin-token': '/admin-tokens',
  'regenerate-admin-token': '/admin-tokens/:id/regenerate',
};

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * path-to-regexp 6 with `strict: false`, `sensitive: false`: one optional
 * trailing slash, any letter case; a `:param` segment is its default
 * `[^/#?]+?`.
 */
const routeRegExp = (path: string): RegExp => new RegExp(`^${escape(path).replace(/:[a-z]+/g, '[^\\/#\\?]+?')}/?$`, 'i');

const MATCHERS = (Object.entries(ROUTES) as Array<[AdminRoute, string]>).map(
  ([route, path]) => [route, routeRegExp(`${ADMIN_API_PREFIX}${path}`)] as const,
);

/** Every admin route is a POST route; HEAD/GET/OPTIONS never reach these controllers. */
export function adminRoute(method: string, path: string): AdminRoute | null {
  if (method !== 'POST') return null;
  for (const [route, pattern] of MATCHERS) if (pattern.test(path)) return route;
  return null;
}

/** passport-local's `lookup` for a plain field name: a scalar, or nothing (objects and arrays count as absent). */
function lookup(source: unknown, field: string): unknown {
  if (source === null || typeof source !== 'object') return null;
  const value = (source as Record<string, unknown>)[field];
  return value !== null && typeof value === 'object' ? null : (value ?? null);
}

/**
 * A credential as Strapi's password login sees it: passport-local takes each
 * field from the body, or — when the body's is missing or falsy — from the
 * query string (`lookup(req.body, f) || lookup(req.query, f)`). Null when
 * neither has one.
 */
export function credentialField(body: unknown, query: unknown, field: string): string | null {
  const value = lookup(body, field) || lookup(query, field);
  return value ? String(value) : null;
}
