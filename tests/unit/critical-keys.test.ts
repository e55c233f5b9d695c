import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DELEGABLE_KEYS,
  SUPER_ADMIN_ONLY,
  UNCLASSIFIED_REASON,
  grantsSuperAdmin,
  readOnlyReason,
  superAdminOnlyChange,
} from '../../server/src/settings-schema/critical-keys';
import { schema, settingKeys } from '../../server/src/settings-schema/schema';

const configurable = settingKeys.filter((key) => schema[key].kind !== 'hook');

test('every setting except the hooks is Super-Admin-only (T21): a new key must be classified deliberately', () => {
  // If this fails after adding a setting: give it a reason in SUPER_ADMIN_ONLY, or — only if it cannot change
  // who gets in, as whom, with which roles, or where people are sent — list it in DELEGABLE_KEYS.
  assert.deepEqual([...DELEGABLE_KEYS], []);
  assert.deepEqual(Object.keys(SUPER_ADMIN_ONLY).sort(), [...configurable].sort());
  for (const key of configurable) {
    assert.match(readOnlyReason(key, null) ?? '', /^only a Super Admin can change this: it \S/, key);
    assert.match(superAdminOnlyChange(key, null, 'x') ?? '', /^only a Super Admin can change this: it \S/, key);
  }
});

test('each reason says what the setting decides, not a generic warning', () => {
  assert.match(readOnlyReason('groupRoles', {}) ?? '', /decides which roles people get/);
  assert.match(readOnlyReason('defaultRoles', ['strapi-author']) ?? '', /decides which roles people get/);
  assert.match(readOnlyReason('syncRoles', false) ?? '', /decides which roles people get/);
  assert.match(readOnlyReason('allowPasswordLogin', true) ?? '', /accounts linked to single sign-on can bypass it with a password/);
  assert.match(readOnlyReason('logoutRedirectUrl', null) ?? '', /where everyone is sent after signing out/);
  assert.match(readOnlyReason('maxNewUsersPerMinute', 100) ?? '', /how many accounts a misconfigured or compromised proxy can create/);
  assert.match(readOnlyReason('header', 'Remote-User') ?? '', /which request header says who a person is/);
});

test('the attack pass (finding 4): the keys a delegate could still change are refused, whatever the value', () => {
  assert.ok(superAdminOnlyChange('allowPasswordLogin', false, true));
  assert.ok(superAdminOnlyChange('logoutRedirectUrl', null, 'https://evil.example/phish'));
  assert.ok(superAdminOnlyChange('maxNewUsersPerMinute', 100, 0));
  assert.ok(superAdminOnlyChange('groupRoles', {}, { '*': ['Delegate'] }));
  assert.ok(superAdminOnlyChange('defaultRoles', ['strapi-author'], ['strapi-editor']));
  assert.ok(superAdminOnlyChange('syncRoles', false, true));
});

test('role values that grant Super Admin (by code or name, any case) say so, before or after the change', () => {
  assert.match(superAdminOnlyChange('defaultRoles', ['strapi-author'], ['strapi-super-admin']) ?? '', /grants the Super Admin role/);
  assert.match(superAdminOnlyChange('defaultRoles', [' Super Admin '], ['strapi-author']) ?? '', /grants the Super Admin role/);
  assert.match(superAdminOnlyChange('groupRoles', {}, { admins: ['SUPER ADMIN'] }) ?? '', /grants the Super Admin role/);
  assert.doesNotMatch(superAdminOnlyChange('groupRoles', { a: ['strapi-editor'] }, { a: ['strapi-author'] }) ?? '', /Super Admin role/);
  assert.match(readOnlyReason('groupRoles', { a: ['strapi-super-admin'] }) ?? '', /decides which roles people get, and it grants the Super Admin role/);
  assert.equal(grantsSuperAdmin({ a: ['strapi-editor'], b: ['super admin'] }), true);
  assert.equal(grantsSuperAdmin(['strapi-editor']), false);
});

test('a key in neither list is Super-Admin-only (fail closed), prototype names included', () => {
  for (const key of ['someFutureOption', 'constructor', '__proto__', 'toString']) {
    assert.equal(readOnlyReason(key, null), UNCLASSIFIED_REASON, key);
    assert.equal(superAdminOnlyChange(key, 1, 2), UNCLASSIFIED_REASON, key);
  }
});
