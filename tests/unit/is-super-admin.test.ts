/**
 * actorIsSuperAdmin and the route policy plugin::remote-auth.is-super-admin, against a stand-in
 * for strapi.db: only a Super Admin signed in as a person (Strapi's admin session, the plugin's
 * header strategy) passes, with the roles read from the database, never from ctx.state.user.
 * The integration suites (settings-api, attack-regressions-round5, strict-mode) cover the same
 * through a booted Strapi; these pin the edges no HTTP request reaches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core } from '@strapi/strapi';
import isSuperAdminPolicy from '../../server/src/policies/is-super-admin';
import { actorIsSuperAdmin } from '../../server/src/strapi/guards/super-admin-actor';
import { HEADER_STRATEGY_NAME } from '../../server/src/strapi/sign-in/header-strategy';

type Role = { code?: string };
const SUPER = { code: 'strapi-super-admin' };
const EDITOR = { code: 'strapi-editor' };

/** A strapi whose admin::user table holds these users (id → roles); records each lookup. */
function fakeStrapi(users: Record<number, Role[]>) {
  const lookups: unknown[] = [];
  const strapi = {
    db: {
      query(uid: string) {
        assert.equal(uid, 'admin::user');
        return {
          async findOne(params: { where: { id?: number }; populate: string[] }) {
            lookups.push(params);
            const id = params.where.id;
            if (id === undefined || !(id in users)) return null;
            return { id, roles: users[id] };
          },
        };
      },
    },
  } as unknown as Core.Strapi;
  return { strapi, lookups };
}

const ctx = (strategy: string | undefined, user: unknown) => ({
  state: { auth: strategy === undefined ? undefined : { strategy: { name: strategy } }, user },
});

test('a Super Admin with an admin session or through the header strategy passes; the roles come from the database', async () => {
  const { strapi, lookups } = fakeStrapi({ 1: [SUPER] });
  // ctx.state.user claims no roles: the database says Super Admin, and the database is believed.
  assert.equal(await actorIsSuperAdmin(strapi, ctx('admin', { id: 1, roles: [] })), true);
  assert.equal(await actorIsSuperAdmin(strapi, ctx(HEADER_STRATEGY_NAME, { id: 1 })), true);
  assert.equal(await actorIsSuperAdmin(strapi, ctx('remote-auth', { id: 1 })), true);
  assert.deepEqual(lookups[0], { where: { id: 1 }, populate: ['roles'] });
});

test('an admin API token, a content API token, an unknown strategy or none never passes, even for a Super Admin owner', async () => {
  const { strapi, lookups } = fakeStrapi({ 1: [SUPER] });
  for (const strategy of ['admin-token', 'api-token', 'users-permissions', '', undefined]) {
    assert.equal(await actorIsSuperAdmin(strapi, ctx(strategy, { id: 1, roles: [SUPER] })), false, String(strategy));
  }
  assert.equal(lookups.length, 0, 'no database lookup for a non-person strategy');
});

test('a person who is not a Super Admin, or has no role, or is not in the database, does not pass; ctx.state.user roles are not believed', async () => {
  const { strapi } = fakeStrapi({ 2: [EDITOR], 3: [], 4: [{}], 1: [SUPER] });
  assert.equal(await actorIsSuperAdmin(strapi, ctx('admin', { id: 2, roles: [SUPER] })), false, 'editor claiming Super Admin in ctx.state.user');
  assert.equal(await actorIsSuperAdmin(strapi, ctx('admin', { id: 3 })), false, 'no role at all');
  assert.equal(await actorIsSuperAdmin(strapi, ctx('admin', { id: 4 })), false, 'a role without a code');
  assert.equal(await actorIsSuperAdmin(strapi, ctx(HEADER_STRATEGY_NAME, { id: 99 })), false, 'deleted since');
});

test('no user id on the request: refused without asking the database (never "the first user")', async () => {
  const { strapi, lookups } = fakeStrapi({ 1: [SUPER] });
  assert.equal(await actorIsSuperAdmin(strapi, ctx('admin', undefined)), false);
  assert.equal(await actorIsSuperAdmin(strapi, ctx('admin', { email: 'root@corp.example' })), false);
  assert.equal(lookups.length, 0);
});

test('a Super Admin with other roles beside it passes', async () => {
  const { strapi } = fakeStrapi({ 5: [EDITOR, SUPER] });
  assert.equal(await actorIsSuperAdmin(strapi, ctx('admin', { id: 5 })), true);
});

test('the route policy is-super-admin answers exactly as actorIsSuperAdmin', async () => {
  const { strapi } = fakeStrapi({ 1: [SUPER], 2: [EDITOR] });
  assert.equal(await isSuperAdminPolicy(ctx('admin', { id: 1 }), {}, { strapi }), true);
  assert.equal(await isSuperAdminPolicy(ctx('admin', { id: 2 }), {}, { strapi }), false);
  assert.equal(await isSuperAdminPolicy(ctx('admin-token', { id: 1 }), {}, { strapi }), false);
});
