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
/**
 * Routes that mint or reveal a token — an admin token, a content API token or a
 * transfer token: a credential of its own, which no identity header stands
 * behind. Strapi answers `GET /api-tokens/:id` with the decrypted key of any
 * API token, and `GET /admin-tokens/:id` with the owner's; transfer tokens are
 * stored hashed only, so reading one reveals nothing.
 */
export type TokenRoute =
  | 'create-admin-token'
  | 'regenerate-admin-token'
  | 'read-admin-token'
  | 'create-api-token'
  | 'regenerate-api-token'
  | 'read-api-token'
  | 'create-transfer-token'
  | 'regenerate-transfer-token';
export type AdminRoute = SessionRoute | TokenRoute | 'logout';

/** Strapi's admin routes (`@strapi/admin` server/src/routes): the method and the path under the prefix. */
const ADMIN_ROUTES: Readonly<Record<AdminRoute, readonly ['POST' | 'GET', string]>> = {
  login: ['POST', '/login'],
  register: ['POST', '/register'],
  'register-admin': ['POST', '/register-admin'],
  'forgot-password': ['POST', '/forgot-password'],
  'reset-password': ['POST', '/reset-password'],
  'access-token': ['POST', '/access-token'],
  logout: ['POST', '/logout'],
  'create-admin-token': ['POST', '/admin-tokens'],
  'regenerate-admin-token': ['POST', '/admin-tokens/:id/regenerate'],
  'read-admin-token': ['GET', '/admin-tokens/:id'],
  'create-api-token': ['POST', '/api-tokens'],
  'regenerate-api-token': ['POST', '/api-tokens/:id/regenerate'],
  'read-api-token': ['GET', '/api-tokens/:id'],
  'create-transfer-token': ['POST', '/transfer/tokens'],
  'regenerate-transfer-token': ['POST', '/transfer/tokens/:id/regenerate'],
};

const SESSION_ROUTES: ReadonlySet<AdminRoute> = new Set<SessionRoute>(['login', 'register', 'register-admin', 'forgot-password', 'reset-password', 'access-token']);
const TOKEN_ROUTES: ReadonlySet<AdminRoute> = new Set<TokenRoute>([
  'create-admin-token',
  'regenerate-admin-token',
  'read-admin-token',
  'create-api-token',
  'regenerate-api-token',
  'read-api-token',
  'create-transfer-token',
  'regenerate-transfer-token',
]);

export const isSessionRoute = (route: AdminRoute | null): route is SessionRoute => route !== null && SESSION_ROUTES.has(route);
export const isTokenRoute = (route: AdminRoute | null): route is TokenRoute => route !== null && TOKEN_ROUTES.has(route);

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * path-to-regexp 6 with `strict: false`, `sensitive: false`: one optional
 * trailing slash, any letter case; a `:param` segment is its default
 * `[^/#?]+?`.
 */
const routeRegExp = (path: string): RegExp => new RegExp(`^${escape(path).replace(/:[a-z]+/g, '[^\\/#\\?]+?')}/?$`, 'i');

const MATCHERS = (Object.entries(ADMIN_ROUTES) as Array<[AdminRoute, readonly ['POST' | 'GET', string]]>).map(
  ([route, [method, path]]) => [route, method, routeRegExp(`${ADMIN_API_PREFIX}${path}`)] as const,
);

/**
 * The route a request reaches. @koa/router's methods are case-sensitive, and a
 * GET route answers HEAD too (Koa then sends no body).
 */
export function adminRoute(method: string, path: string): AdminRoute | null {
  const asRouted = method === 'HEAD' ? 'GET' : method;
  for (const [route, routeMethod, pattern] of MATCHERS) if (routeMethod === asRouted && pattern.test(path)) return route;
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
