import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boolean, choice, hook, integer, list, mapping, secretHeader, text } from '../../server/src/settings-schema/fields';

const throwsType = (fn: () => unknown, message: RegExp): void => {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof TypeError);
    assert.match(error.message, message);
    return true;
  });
};

test('boolean: accepts true/false only', () => {
  const field = boolean(true, 'help');
  assert.equal(field.kind, 'boolean');
  assert.equal(field.default, true);
  assert.equal(field.help, 'help');
  assert.equal(field.check(false), false);
  assert.equal(field.check(true), true);
  throwsType(() => field.check('true'), /must be true or false, got "true"/);
  throwsType(() => field.check(1), /got number/);
  throwsType(() => field.check(null), /got null/);
  throwsType(() => field.check([]), /got an array/);
  throwsType(() => field.check(undefined), /got undefined/);
});

test('choice: accepts listed values only, case-sensitively', () => {
  const field = choice(['email', 'username'] as const, 'email', 'help');
  assert.equal(field.kind, 'choice');
  assert.deepEqual(field.choices, ['email', 'username']);
  assert.equal(field.check('username'), 'username');
  throwsType(() => field.check('Email'), /must be one of "email", "username", got "Email"/);
  throwsType(() => field.check(''), /must be one of/);
  throwsType(() => field.check(0), /got number/);
});

test('text with a non-null default: empty is refused, validator runs', () => {
  const field = text('Remote-User', 'help', (value) => (value.includes(' ') ? 'has a space' : null));
  assert.equal(field.kind, 'text');
  assert.equal(field.check('X-User'), 'X-User');
  throwsType(() => field.check(''), /must not be empty/);
  throwsType(() => field.check(null), /must not be empty/);
  throwsType(() => field.check(42), /must be a string, got number/);
  throwsType(() => field.check('a b'), /^has a space$/);
});

test('text with a null default: empty/null means null', () => {
  const field = text(null as string | null, 'help');
  assert.equal(field.default, null);
  assert.equal(field.check(''), null);
  assert.equal(field.check(null), null);
  assert.equal(field.check(undefined), null);
  assert.equal(field.check('x'), 'x');
  throwsType(() => field.check({}), /must be a string, got object/);
});

test('list: strings only, validator runs, result and default are copies', () => {
  const defaults = ['a'];
  const field = list(defaults, 'help', (value) => {
    if (value.includes('bad')) throw new TypeError('contains bad');
  });
  defaults.push('mutated');
  assert.deepEqual(field.default, ['a']);
  const input = ['x', 'y'];
  const checked = field.check(input);
  assert.deepEqual(checked, ['x', 'y']);
  assert.notEqual(checked, input);
  throwsType(() => field.check('x'), /must be a list of strings, got "x"/);
  throwsType(() => field.check([1]), /must be a list of strings, got an array/);
  throwsType(() => field.check(null), /got null/);
  throwsType(() => field.check(['bad']), /contains bad/);
});

test('mapping: kind "mapping", default {}, group → non-empty list of role references', () => {
  const field = mapping('help');
  assert.equal(field.kind, 'mapping');
  assert.equal(field.help, 'help');
  assert.deepEqual(field.default, {});
  assert.deepEqual(field.check({}), {});
  assert.deepEqual(field.check({ 'cms-editors': ['strapi-editor'], 'cms-*': ['a', 'b'] }), {
    'cms-editors': ['strapi-editor'],
    'cms-*': ['a', 'b'],
  });
});

test('mapping: the result and its lists are copies', () => {
  const field = mapping('help');
  const roles = ['strapi-editor'];
  const input = { staff: roles };
  const checked = field.check(input);
  assert.notEqual(checked, input);
  assert.notEqual(checked.staff, roles);
  checked.staff.push('strapi-super-admin');
  assert.deepEqual(roles, ['strapi-editor']);
});

test('mapping: anything but a plain object is refused', () => {
  const field = mapping('help');
  throwsType(() => field.check(null), /must be an object like \{ "cms-editors": \["strapi-editor"\] \}, got null/);
  throwsType(() => field.check(undefined), /got undefined/);
  throwsType(() => field.check([]), /got an array/);
  throwsType(() => field.check('staff'), /got "staff"/);
  throwsType(() => field.check(1), /got number/);
});

test('mapping: empty group names and empty or malformed role lists are refused', () => {
  const field = mapping('help');
  throwsType(() => field.check({ '': ['a'] }), /^must not have an empty group name$/);
  throwsType(() => field.check({ ' \t': ['a'] }), /^must not have an empty group name$/);
  for (const targets of [[], 'a', null, {}, [''], ['  '], ['a', ''], [1], ['a', null]]) {
    throwsType(() => field.check({ staff: targets }), /^"staff" must map to a non-empty list of role codes or names$/);
  }
});

test('secretHeader: null/undefined → null; { header, value } checked', () => {
  const field = secretHeader('help', (name) => (name === 'Bad_Name' ? 'is bad' : null));
  assert.equal(field.kind, 'secret');
  assert.equal(field.default, null);
  assert.equal(field.check(null), null);
  assert.equal(field.check(undefined), null);
  assert.deepEqual(field.check({ header: 'X-Proxy-Secret', value: 'x'.repeat(16) }), { header: 'X-Proxy-Secret', value: 'x'.repeat(16) });
  throwsType(() => field.check([]), /must be null or \{ header, value \}, got an array/);
  throwsType(() => field.check(42), /got number/);
  throwsType(() => field.check({ header: 'X-Proxy-Secret', value: 'x'.repeat(16), extra: 1 }), /unknown key "extra"/);
  throwsType(() => field.check({ value: 'x'.repeat(16) }), /^\.header must be a header name/);
  throwsType(() => field.check({ header: 'Bad_Name', value: 'x'.repeat(16) }), /^\.header is bad$/);
  throwsType(() => field.check({ header: 'X-Proxy-Secret', value: 'x'.repeat(15) }), /^\.value must be a string of at least 16 characters/);
  throwsType(() => field.check({ header: 'X-Proxy-Secret', value: 1234567890123456 }), /^\.value must be a string/);
});

test('secretHeader errors never echo the secret value (T15)', () => {
  const field = secretHeader('help', () => null);
  const short = 'short-secret';
  assert.throws(
    () => field.check({ header: 'X-Proxy-Secret', value: short }),
    (error: unknown) => {
      assert.ok(error instanceof TypeError, String(error));
      assert.ok(!error.message.includes(short), error.message);
      return true;
    },
  );
});

test(
  'secretHeader: a bare string (e.g. sharedSecret: process.env.SECRET) is refused without echoing it (T15)',
  
  () => {
    const field = secretHeader('help', () => null);
    const secret = 'a-real-secret-from-the-environment';
    assert.throws(() => field.check(secret), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.ok(!error.message.includes(secret), error.message);
      return true;
    });
  },
);

test('integer: kind "number" with its bounds; whole numbers in range only', () => {
  const field = integer(100, 'help', 0, 1000);
  assert.equal(field.kind, 'number');
  assert.equal(field.default, 100);
  assert.equal(field.help, 'help');
  assert.equal(field.min, 0);
  assert.equal(field.max, 1000);
  for (const value of [0, 1, 100, 1000]) assert.equal(field.check(value), value);
  throwsType(() => field.check(-1), /^must be a whole number from 0 to 1000, got -1$/);
  throwsType(() => field.check(1001), /got 1001$/);
  throwsType(() => field.check(1.5), /got 1\.5$/);
  throwsType(() => field.check(Number.NaN), /got NaN$/);
  throwsType(() => field.check(Number.POSITIVE_INFINITY), /got Infinity$/);
  throwsType(() => field.check('10'), /got "10"$/);
  throwsType(() => field.check(null), /got null$/);
  throwsType(() => field.check(true), /got boolean$/);
});

test('hook: functions or null only', () => {
  const field = hook<(value: string) => string>('help');
  assert.equal(field.kind, 'hook');
  const fn = (value: string) => value;
  assert.equal(field.check(fn), fn);
  assert.equal(field.check(null), null);
  assert.equal(field.check(undefined), null);
  throwsType(() => field.check('value => value'), /must be a function, got "value => value"/);
  throwsType(() => field.check({}), /must be a function, got object/);
});
