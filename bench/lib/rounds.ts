/**
 * The bench's method for two sides sharing a process or a machine (issue 14):
 * alternate the order round by round — A B, B A, A B… — so neither side always
 * runs right after the other and inherits its garbage; report each ratio with
 * its spread over the rounds (the ratio of every pair of rounds that ran side
 * by side), and say "within noise" when the goal lies inside that spread.
 */

/** Which side runs first in round `round` (0-based): A B, then B A, then A B… */
export const firstSide = (round: number): 'a' | 'b' => (round % 2 === 0 ? 'a' : 'b');

/** Runs `a` and `b` once each, in the order `firstSide(round)` gives; answers in A, B order. */
export async function alternate<T>(round: number, a: () => Promise<T>, b: () => Promise<T>): Promise<[T, T]> {
  if (firstSide(round) === 'a') {
    const ra = await a();
    return [ra, await b()];
  }
  const rb = await b();
  return [await a(), rb];
}

export interface Goal {
  /** "≥": the ratio must reach `limit`; "≤": it must stay under it. */
  readonly op: '≥' | '≤';
  readonly limit: number;
}

export interface RatioSpread {
  readonly low: number;
  readonly high: number;
  /** The goal lies between the lowest and the highest ratio of the rounds: one round says met, another missed. */
  readonly withinNoise: boolean;
}

export function spreadOf(paired: readonly number[], goal: Goal | null): RatioSpread {
  const finite = paired.filter(Number.isFinite);
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  return { low, high, withinNoise: goal !== null && finite.length > 1 && goal.limit >= low && goal.limit <= high };
}

export const meets = (value: number, goal: Goal): boolean => (goal.op === '≥' ? value >= goal.limit : value <= goal.limit);

const fixed = (n: number) => (Number.isFinite(n) ? n.toFixed(n >= 10 ? 1 : 3) : 'n/a');

/** "1.02 (rounds 0.98–1.05, within noise)" */
export function formatRatio(value: number, spread: RatioSpread): string {
  return `${fixed(value)} (rounds ${fixed(spread.low)}–${fixed(spread.high)}${spread.withinNoise ? ', within noise' : ''})`;
}
