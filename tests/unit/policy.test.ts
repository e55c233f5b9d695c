import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertGroupsAllowed, decide, type AccountRules, type AccountState, type GroupRules } from '../../server/src/pipeline/policy';
import { Refusal } from '../../server/src/pipeline/refusal';
import { refusedWith } from '../harness/refusals';

const rules = (overrides: Partial<AccountRules> = {}): AccountRules => ({ autoCreate: false, allowInactive: false, ...overrides });
const ACTIVE: AccountState = { isActive: true, blocked: false };
const INACTIVE: AccountState = { isActive: false, blocked: false };
const BLOCKED: AccountState = { isActive: true, blocked: true };
const BLOCKED_INACTIVE: AccountState = { isActive: false, blocked: true };

test('unknown user with autoCreate off → unknown-user (403)', () => {
  const refusal = refusedWith('unknown-user', () => decide(null, rules(), 'jane@corp.example'));
  assert.equal(refusal.status, 403);
  assert.match(refusal.reason, /"jane@corp\.example"/);
  assert.match(refusal.reason, /autoCreate is off/);
  assert.match(refusal.publicMessage, /no Strapi admin account/);
});

test('unknown user with autoCreate on → provision', () => {
  assert.deepEqual(decide(null, rules({ autoCreate: true }), 'jane@corp.example'), { action: 'provision' });
  assert.deepEqual(decide(null, rules({ autoCreate: true, allowInactive: true }), 'jane'), { action: 'provision' });
});

test('active account → sign-in without activation', () => {
  for (const r of [rules(), rules({ autoCreate: true }), rules({ allowInactive: true })]) {
    assert.deepEqual(decide(ACTIVE, r, 'jane'), { action: 'sign-in', activate: false });
  }
});

test('blocked account → always refused (blocked-user), whatever the rules', () => {
  for (const account of [BLOCKED, BLOCKED_INACTIVE]) {
    for (const r of [rules(), rules({ allowInactive: true }), rules({ autoCreate: true, allowInactive: true })]) {
      const refusal = refusedWith('blocked-user', () => decide(account, r, 'jane'));
      assert.equal(refusal.status, 403);
    }
  }
});

test('inactive account → refused (inactive-user) unless allowInactive', () => {
  const refusal = refusedWith('inactive-user', () => decide(INACTIVE, rules(), 'jane'));
  assert.equal(refusal.status, 403);
  assert.match(refusal.reason, /allowInactive/);
  refusedWith('inactive-user', () => decide(INACTIVE, rules({ autoCreate: true }), 'jane'));
});

test('inactive account with allowInactive → sign-in that activates it', () => {
  assert.deepEqual(decide(INACTIVE, rules({ allowInactive: true }), 'jane'), { action: 'sign-in', activate: true });
});

// --- assertGroupsAllowed -------------------------------------------------------------------

const groupRules = (overrides: Partial<GroupRules> = {}): GroupRules => ({ requireGroups: [], denyGroups: [], ...overrides });

test('no group rules: everyone passes, groups header or not', () => {
  for (const groups of [null, [], ['staff'], ['contractors', 'admins']]) {
    assert.doesNotThrow(() => assertGroupsAllowed(groups, groupRules(), 'jane'), JSON.stringify(groups));
  }
});

test('requireGroups: a member of a listed group passes (case-insensitive, wildcards)', () => {
  const r = groupRules({ requireGroups: ['cms-editors', 'ext-*'] });
  assert.doesNotThrow(() => assertGroupsAllowed(['cms-editors'], r, 'jane'));
  assert.doesNotThrow(() => assertGroupsAllowed(['staff', 'CMS-Editors'], r, 'jane'));
  assert.doesNotThrow(() => assertGroupsAllowed(['ext-acme'], r, 'jane'));
});

test('requireGroups: anyone else is refused (group-required, 403)', () => {
  const r = groupRules({ requireGroups: ['cms-editors', 'ext-*'] });
  for (const groups of [['staff'], ['cms-editors-old'], ['ext'], ['*'], ['cms-*']]) {
    const refusal = refusedWith('group-required', () => assertGroupsAllowed(groups, r, 'jane@corp.example'));
    assert.equal(refusal.status, 403);
    assert.match(refusal.reason, /"jane@corp\.example" is in none of requireGroups \(cms-editors, ext-\*\)/);
  }
});

test('requireGroups: a present but empty groups header is refused', () => {
  const refusal = refusedWith('group-required', () => assertGroupsAllowed([], groupRules({ requireGroups: ['staff'] }), 'jane'));
  assert.doesNotMatch(refusal.reason, /no groups header/);
});

test('requireGroups: an absent groups header proves no membership and is refused (T6)', () => {
  const refusal = refusedWith('group-required', () => assertGroupsAllowed(null, groupRules({ requireGroups: ['staff'] }), 'jane'));
  assert.equal(refusal.status, 403);
  assert.match(refusal.reason, /the proxy sent no groups header/);
  refusedWith('group-required', () => assertGroupsAllowed(null, groupRules({ requireGroups: ['*'] }), 'jane'));
});

test('requireGroups "*": any group at all will do, but at least one', () => {
  const r = groupRules({ requireGroups: ['*'] });
  assert.doesNotThrow(() => assertGroupsAllowed(['anything'], r, 'jane'));
  refusedWith('group-required', () => assertGroupsAllowed([], r, 'jane'));
});

test('denyGroups: a member of a listed group is refused (group-denied, 403; case-insensitive, wildcards)', () => {
  const r = groupRules({ denyGroups: ['contractors', 'ext-*'] });
  for (const groups of [['contractors'], ['staff', 'Contractors'], ['EXT-acme'], ['ext-']]) {
    const refusal = refusedWith('group-denied', () => assertGroupsAllowed(groups, r, 'jane@corp.example'));
    assert.equal(refusal.status, 403);
    assert.match(refusal.reason, /"jane@corp\.example" is in a group listed in denyGroups/);
  }
});

test('denyGroups: non-members pass', () => {
  const r = groupRules({ denyGroups: ['contractors', 'ext-*'] });
  for (const groups of [[], ['staff'], ['contractors-alumni'], ['ext'], ['*'], ['ext*']]) {
    assert.doesNotThrow(() => assertGroupsAllowed(groups, r, 'jane'), JSON.stringify(groups));
  }
});

test('denyGroups wins over requireGroups', () => {
  const r = groupRules({ requireGroups: ['staff'], denyGroups: ['contractors'] });
  refusedWith('group-denied', () => assertGroupsAllowed(['staff', 'contractors'], r, 'jane'));
  refusedWith('group-denied', () => assertGroupsAllowed(['contractors', 'staff'], r, 'jane'));
  assert.doesNotThrow(() => assertGroupsAllowed(['staff'], r, 'jane'));
  // Without a groups header the person is refused either way (which of the two codes is a detail).
  assert.throws(
    () => assertGroupsAllowed(null, r, 'jane'),
    (error: unknown) => error instanceof Refusal && error.status === 403 && ['group-required', 'group-denied'].includes(error.code),
  );
});

test(
  'denyGroups: an absent groups header is refused too — it cannot prove the person is not in a denied group (T6)',
  
  () => {
    const refusal = refusedWith('group-denied', () => assertGroupsAllowed(null, groupRules({ denyGroups: ['contractors'] }), 'jane'));
    assert.equal(refusal.status, 403);
  },
);

test('group refusals do not tell the person which groups are required or denied', () => {
  const required = refusedWith('group-required', () =>
    assertGroupsAllowed(['staff'], groupRules({ requireGroups: ['secret-project-x'] }), 'jane'),
  );
  const denied = refusedWith('group-denied', () =>
    assertGroupsAllowed(['secret-project-y'], groupRules({ denyGroups: ['secret-project-y'] }), 'jane'),
  );
  assert.doesNotMatch(required.publicMessage, /secret-project/);
  assert.doesNotMatch(denied.publicMessage, /secret-project/);
  assert.ok(required.publicMessage.length > 0);
  assert.ok(denied.publicMessage.length > 0);
});
