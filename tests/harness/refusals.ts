/**
 * Refusals in unit tests: what the pipeline throws (a Refusal with a code).
 * For refusals answered over HTTP, with the database snapshot check, see
 * assertions.ts (`assertRefused`, `snapshot`, `assertUnchanged`).
 *
 *   const refusal = refusedWith('untrusted-peer', () => assertTrustedProxy(…));
 *   await assert.rejects(identify(…), isRefusalWith('assertion-missing'));
 */
import assert from 'node:assert/strict';
import { Refusal } from '../../server/src/pipeline/refusal';

/** Predicate for assert.throws / assert.rejects: a Refusal with exactly this code. */
export const isRefusalWith = (code: string) => (error: unknown) => error instanceof Refusal && error.code === code;

/** `fn` throws a Refusal with this code; returns it, for checks on its status and reason. */
export function refusedWith(code: string, fn: () => unknown, label?: string): Refusal {
  let caught: unknown;
  assert.throws(
    fn,
    (error: unknown) => {
      caught = error;
      return isRefusalWith(code)(error);
    },
    label,
  );
  return caught as Refusal;
}
