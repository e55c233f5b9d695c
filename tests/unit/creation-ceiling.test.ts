import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCreationCeiling } from '../../server/src/pipeline/creation-ceiling';
import { Refusal } from '../../server/src/pipeline/refusal';
import { refusedWith } from '../harness/refusals';

const clock = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
};

const refused = (fn: () => unknown): Refusal => refusedWith('creation-rate-limited', fn);

test('maxNewUsersPerMinute: the ceiling refuses with 429 and a Retry-After', () => {
  const time = clock();
  const ceiling = createCreationCeiling(time.now);
  ceiling.reserve(2, 'a');
  time.advance(10_000);
  ceiling.reserve(2, 'b');
  const refusal = refused(() => ceiling.reserve(2, 'c'));
  assert.equal(refusal.status, 429);
  assert.equal(refusal.retryAfterSeconds, 50, 'the oldest slot frees in 50 s');
  assert.match(refusal.reason, /maxNewUsersPerMinute is 2/);
});

test('the window slides: a slot frees a minute after it was taken', () => {
  const time = clock();
  const ceiling = createCreationCeiling(time.now);
  ceiling.reserve(1, 'a');
  time.advance(59_999);
  refused(() => ceiling.reserve(1, 'b'));
  time.advance(1);
  ceiling.reserve(1, 'b');
});

test('a released slot (no account was created) is given back, once', () => {
  const time = clock();
  const ceiling = createCreationCeiling(time.now);
  const release = ceiling.reserve(1, 'a');
  release();
  release();
  ceiling.reserve(1, 'b');
  refused(() => ceiling.reserve(1, 'c'));
});

test('0 means no limit; the limit is read on every call', () => {
  const ceiling = createCreationCeiling(clock().now);
  for (let i = 0; i < 1000; i++) ceiling.reserve(0, `u${i}`);
  ceiling.reserve(1, 'x');
  refused(() => ceiling.reserve(1, 'y'));
  ceiling.reserve(2, 'y');
});
