import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type AccountRules, type AccountState } from '../../server/src/pipeline/policy';
import { Refusal } from '../../server/src/pipeline/refusal';

const rules = (overrides: Partial<AccountRules> = {}): AccountRules => ({ autoCreate: false, allowInactive: false, ...overrides });
const ACTIVE: AccountState = { isActive: true, blocked: false };
const INACTIVE: AccountState = { isActive: false, blocked: false };
const BLOCKED: AccountState = { isActive: true, blocked: true };
const BLOCKED_INACTIVE: AccountState = { isActive: false, blocked: true };

const refusedWith = (code: string, fn: () => unknown): Refusal => {
  let caught: unknown;
  assert.throws(fn, (error: unknown) => {
    caught = error;
    return error instanceof Refusal && error.code === code;
  });
  return caught as Refusal;
};

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
