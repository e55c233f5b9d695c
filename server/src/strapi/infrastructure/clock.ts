/**
 * The time a decision is made with, where a test must be able to move it
 * (syncInterval, leases). Production always reads the system clock: the only
 * way to replace `now` is from code in the same process, through the plugin's
 * `clock` service; no route or setting reaches it.
 */
export interface Clock {
  now(): number;
}

export const createClock = (): Clock => ({ now: () => Date.now() });
