import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error @koa/router ships no types; it is Strapi's own router, used here as the oracle
import Router from '@koa/router';
import { ADMIN_API_PREFIX, adminRoute, credentialField, isSessionRoute, isTokenRoute, type AdminRoute } from '../../server/src/pipeline/admin-route';

/**
 * Strapi's admin routes (@strapi/admin server/src/routes: authentication, admin-tokens, api-tokens,
 * transfer; the same paths and methods in Strapi 5.24.1, which has no admin tokens).
 */
const ROUTES: Record<AdminRoute, ['POST' | 'GET', string]> = {
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
/** Strapi's other routes on the same paths, which no guard here is about. */
const NEIGHBOURS: Array<[string, string]> = [
  ['GET', '/admin-tokens'],
  ['PUT', '/admin-tokens/:id'],
  ['DELETE', '/admin-tokens/:id'],
  ['GET', '/admin-tokens/:id/owner-permissions'],
  ['GET', '/api-tokens'],
  ['PUT', '/api-tokens/:id'],
  ['DELETE', '/api-tokens/:id'],
  ['GET', '/transfer/tokens'],
  ['GET', '/transfer/tokens/:id'],
  ['PUT', '/transfer/tokens/:id'],
  ['DELETE', '/transfer/tokens/:id'],
  ['GET', '/transfer/runner/push'],
  ['GET', '/transfer/runner/pull'],
];

/** Strapi's admin router, as @strapi/core builds it: default @koa/router options under the `/admin` prefix. */
const root = new Router();
const admin = new Router({ prefix: ADMIN_API_PREFIX });
for (const [route, [method, path]] of Object.entries(ROUTES)) {
  admin.register(path, [method], () => undefined, { name: route });
}
for (const [method, path] of NEIGHBOURS) admin.register(path, [method], () => undefined, { name: `${method} ${path}` });
root.use(admin.routes());
/** The route the router sends a request to: the name of its first matching layer with a method, as Koa's dispatch runs it. */
function routerRoute(method: string, path: string): string | null {
  const matched = root.match(path, method);
  if (!matched.route) return null;
  const layer = matched.pathAndMethod.find((l: { methods: string[] }) => l.methods.length > 0);
  return layer?.name ?? null;
}
const routerMatches = (method: string, path: string): boolean => {
  const name = routerRoute(method, path);
  return name !== null && name in ROUTES;
};

const VARIANTS = (path: string): string[] => {
  const upper = path.toUpperCase();
  return [
    `/admin${path}`,
    `/admin${path}/`,
    `/admin${upper}`,
    `/ADMIN${path}`,
    `/Admin${upper}/`,
    `/admin/${path}`,
    `//admin${path}`,
    `/admin${path}//`,
    `/admin${path}%2F`,
    `/admin${path.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
    `/admin${path};x`,
    `/admin${path}.json`,
    `/admin${path}x`,
    `/admin${path}/x`,
    `/admin/x${path}`,
    `/api${path}`,
    path,
  ];
};

test('adminRoute matches exactly the paths Strapi’s router routes to each controller', () => {
  for (const [route, [method, path]] of Object.entries(ROUTES) as Array<[AdminRoute, [string, string]]>) {
    for (const variant of VARIANTS(path)) {
      const expected = routerRoute(method, variant) === route;
      assert.equal(adminRoute(method, variant) === route, expected, `${method} ${variant}: router ${expected ? 'matches' : 'does not match'}`);
    }
  }
});

test('every method on every route and neighbour path: adminRoute names the route the router sends the request to, or nothing', () => {
  const paths = [...Object.values(ROUTES), ...NEIGHBOURS].map(([, path]) => path.replace(':id', '7'));
  for (const path of paths) {
    for (const variant of [`/admin${path}`, `/ADMIN${path.toUpperCase()}/`]) {
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'get', 'post']) {
        const name = routerRoute(method, variant);
        const expected = name !== null && name in ROUTES ? name : null;
        assert.equal(adminRoute(method, variant), expected, `${method} ${variant}`);
      }
    }
  }
});

test('the token routes are token routes and no session routes; the session routes the reverse', () => {
  for (const route of Object.keys(ROUTES) as AdminRoute[]) {
    const token = route.endsWith('-token') && route !== 'access-token';
    assert.equal(isTokenRoute(route), token, route);
    assert.equal(isSessionRoute(route), !token && route !== 'logout', route);
  }
  assert.equal(isTokenRoute(null), false);
  assert.equal(isSessionRoute(null), false);
});

test('a route with a parameter matches any one segment there, as the router does', () => {
  for (const path of ['/admin/admin-tokens/7/regenerate', '/admin/ADMIN-TOKENS/abc/Regenerate/']) {
    assert.ok(routerMatches('POST', path), path);
    assert.equal(adminRoute('POST', path), 'regenerate-admin-token', path);
  }
  for (const path of ['/admin/admin-tokens//regenerate', '/admin/admin-tokens/7/8/regenerate', '/admin/admin-tokens/7']) {
    assert.equal(adminRoute('POST', path) === 'regenerate-admin-token', routerMatches('POST', path), path);
  }
});

test('the variants a guard must catch are routed (T20)', () => {
  for (const path of ['/admin/login/', '/admin/LOGIN', '/ADMIN/Login', '/admin/access-token/', '/admin/Reset-Password']) {
    assert.ok(routerMatches('POST', path), path);
    assert.notEqual(adminRoute('POST', path), null, path);
  }
});

test('only POST reaches the POST controllers', () => {
  for (const method of ['GET', 'HEAD', 'PUT', 'OPTIONS', 'post']) {
    assert.equal(routerMatches(method, '/admin/login'), false, method);
    assert.equal(adminRoute(method, '/admin/login'), null, method);
  }
});

test('a GET route answers HEAD too, as @koa/router registers it', () => {
  for (const path of ['/admin/api-tokens/7', '/admin/admin-tokens/7/']) {
    assert.equal(routerMatches('HEAD', path), true, path);
    assert.notEqual(adminRoute('HEAD', path), null, path);
  }
});

test('credentials come from the body, else from the query string, like passport-local', () => {
  assert.equal(credentialField({ email: 'a@x' }, { email: 'b@x' }, 'email'), 'a@x');
  assert.equal(credentialField({}, { email: 'b@x' }, 'email'), 'b@x');
  assert.equal(credentialField(undefined, { email: 'b@x' }, 'email'), 'b@x');
  assert.equal(credentialField({ email: '' }, { email: 'b@x' }, 'email'), 'b@x');
  assert.equal(credentialField({ email: null }, { email: 'b@x' }, 'email'), 'b@x');
  assert.equal(credentialField({ email: { $ne: '' } }, { email: 'b@x' }, 'email'), 'b@x');
  assert.equal(credentialField({ email: ['a@x'] }, {}, 'email'), null);
  assert.equal(credentialField({}, { email: ['a@x', 'b@x'] }, 'email'), null);
  assert.equal(credentialField({}, {}, 'email'), null);
  assert.equal(credentialField('email=a@x', {}, 'email'), null);
});
