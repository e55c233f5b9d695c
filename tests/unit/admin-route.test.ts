import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error @koa/router ships no types; it is Strapi's own router, used here as the oracle
import Router from '@koa/router';
import { ADMIN_API_PREFIX, adminRoute, credentialField, type AdminRoute } from '../../server/src/pipeline/admin-route';

/** Strapi's admin router, as @strapi/core builds it: default @koa/router options under the `/admin` prefix. */
const ROUTES: Record<AdminRoute, string> = {
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
const root = new Router();
const admin = new Router({ prefix: ADMIN_API_PREFIX });
for (const path of Object.values(ROUTES)) admin.post(path, () => undefined);
root.use(admin.routes());
const routerMatches = (method: string, path: string): boolean => Boolean(root.match(path, method).route);

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
  for (const [route, path] of Object.entries(ROUTES) as Array<[AdminRoute, string]>) {
    for (const variant of VARIANTS(path)) {
      const expected = routerMatches('POST', variant);
      assert.equal(adminRoute('POST', variant) === route, expected, `${variant}: router ${expected ? 'matches' : 'does not match'}`);
    }
  }
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

test('only POST reaches these controllers', () => {
  for (const method of ['GET', 'HEAD', 'PUT', 'OPTIONS', 'post']) {
    assert.equal(routerMatches(method, '/admin/login'), false, method);
    assert.equal(adminRoute(method, '/admin/login'), null, method);
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
