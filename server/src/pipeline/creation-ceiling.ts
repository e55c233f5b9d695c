import { Refusal } from './refusal';

const WINDOW_MS = 60_000;

/**
 * `maxNewUsersPerMinute`: a per-instance ceiling on accounts created by
 * autoCreate, over a sliding minute. A proxy that is misconfigured, or an IdP
 * that lets anyone register, cannot fill the admin user table at request
 * speed. A slot is reserved before the account is created (so concurrent
 * first logins cannot overshoot) and released when no account was created.
 */
export function createCreationCeiling(now: () => number = Date.now) {
  const slots: number[] = [];
  const expire = (at: number) => {
    while (slots.length > 0 && at - slots[0] >= WINDOW_MS) slots.shift();
  };

  return {
    /** Takes a slot or refuses with `creation-rate-limited`; returns the release function. 0 = no limit. */
    reserve(limit: number, who: string): () => void {
      if (limit === 0) return () => undefined;
      const at = now();
      expire(at);
      if (slots.length >= limit) {
        const retryAfter = Math.max(1, Math.ceil((slots[0] + WINDOW_MS - at) / 1000));
        throw new Refusal(
          'creation-rate-limited',
          `not creating an admin user for "${who}": ${slots.length} accounts were created in the last minute (maxNewUsersPerMinute is ${limit}); ` +
            'if this many people really sign in for the first time at once, raise maxNewUsersPerMinute',
          'Too many new accounts are being created right now. Please try again in a minute.',
          retryAfter,
        );
      }
      slots.push(at);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const index = slots.lastIndexOf(at);
        if (index !== -1) slots.splice(index, 1);
      };
    },
  };
}

export type CreationCeiling = ReturnType<typeof createCreationCeiling>;
