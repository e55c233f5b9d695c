import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CRITICAL_KEYS, ROLE_KEYS, grantsSuperAdmin, readOnlyReason, superAdminOnlyChange } from '../../server/src/settings/critical-keys';
import { settingKeys } from '../../server/src/settings/schema';

test('every Super-Admin-only key is a setting (a typo would silently leave a key delegable)', () => {
  for (const key of [...CRITICAL_KEYS, ...ROLE_KEYS]) assert.ok((settingKeys as string[]).includes(key), key);
});

test('the keys that decide who signs in, as whom, and how trust is established are Super-Admin-only (T21)', () => {
  for (const key of ['header', 'trustedProxies', 'sharedSecret', 'userField', 'emailDomain', 'realms', 'linkByEmail', 'linkByEmailHeader',
    'emailHeader', 'groupsHeader', 'allowSuperAdminMapping', 'mode', 'enabled', 'autoCreate', 'allowInactive']) {
    assert.ok(readOnlyReason(key, null), key);
  }
});

test('role keys need a Super Admin only when the old or new value grants Super Admin (by code or name, any case)', () => {
  assert.equal(superAdminOnlyChange('defaultRoles', ['strapi-author'], ['strapi-editor']), null);
  assert.ok(superAdminOnlyChange('defaultRoles', ['strapi-author'], ['strapi-super-admin']));
  assert.ok(superAdminOnlyChange('defaultRoles', [' Super Admin '], ['strapi-author']));
  assert.ok(superAdminOnlyChange('groupRoles', {}, { admins: ['SUPER ADMIN'] }));
  assert.equal(superAdminOnlyChange('groupRoles', { a: ['strapi-editor'] }, { a: ['strapi-author'] }), null);
  assert.equal(grantsSuperAdmin({ a: ['strapi-editor'], b: ['super admin'] }), true);
  assert.equal(readOnlyReason('logoutRedirectUrl', '/x'), null);
});
