/**
 * What every benchmark of bench/run.ts shares: the plan of the chosen mode,
 * the fixed set-up (header, configurations, the bench admin), the shape of a
 * result (Outcome) and the context a benchmark runs in.
 */
import type { DatabaseKind, TestDatabase } from '../../tests/harness/database';
import type { Round } from './load';
import type { ServerProcess } from './processes';

/** A real error (crash, flood of unexpected answers, duplicate rows): the bench exits 1. */
export class BenchError extends Error {}

export type Mode = 'full' | 'quick' | 'smoke';

/**
 * roundRequests: a throughput round ends after that many answers instead of after roundSeconds
 * (smoke mode: on a machine busy with other work, a 1-s round may see no answer at all).
 */
export const PLANS = {
  full: { forks: 3, warmSeconds: 2, roundSeconds: 3, roundRequests: null, rounds: 4, connections: 10, signInWarm: 20, signIns: 100, b4Identities: 1000, b4Rounds: 5, b4Warm: 300 },
  quick: { forks: 1, warmSeconds: 1, roundSeconds: 1, roundRequests: null, rounds: 3, connections: 10, signInWarm: 10, signIns: 30, b4Identities: 300, b4Rounds: 1, b4Warm: 50 },
  smoke: { forks: 1, warmSeconds: 1, roundSeconds: 1, roundRequests: 100, rounds: 1, connections: 10, signInWarm: 5, signIns: 10, b4Identities: 100, b4Rounds: 1, b4Warm: 20 },
} as const;
export type Plan = (typeof PLANS)[Mode];

/** B7: existing admin users per process (seeding 100,000 takes seconds); quick and smoke boot two processes, not three. */
export const B7_SIZES: Record<Mode, number[]> = { full: [100, 10_000, 100_000], quick: [100, 100_000], smoke: [100, 1_000] };
export const B7_PLANS: Record<Mode, { rounds: number; signIns: number; warm: number }> = {
  full: { rounds: 6, signIns: 60, warm: 20 },
  quick: { rounds: 3, signIns: 20, warm: 10 },
  smoke: { rounds: 1, signIns: 10, warm: 5 },
};
export const B4_CONCURRENCY = 50;
/** More unexpected answers than this in any round is a real error, not a figure. */
export const FLOOD = 0.01;

export const HEADER = 'Remote-User';
/** What a browser sends on a top-level navigation; /remote-auth/login refuses fetches (Node's fetch says "cors"). */
export const NAVIGATION = { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'none', 'Sec-Fetch-Dest': 'document' };
// B4 creates a thousand accounts on purpose: no creation ceiling here.
export const PROXY = { trustedProxies: ['127.0.0.1/32'], maxNewUsersPerMinute: 0 };
export const STRICT = { ...PROXY, mode: 'strict', autoCreate: true };
export const PERSISTENT = { ...PROXY, mode: 'persistent', autoCreate: true };
export const ADMIN = { firstname: 'Bench', lastname: 'Admin', email: 'bench-admin@example.com', password: 'Bench-Passw0rd' };
export const ARTICLES = 10;
export const CEILING_PATH = '/bench-ceiling/sign-in';

/** The run as the options chose it, and what every benchmark reports through. */
export interface BenchContext {
  readonly mode: Mode;
  /** quick or smoke */
  readonly quick: boolean;
  readonly smoke: boolean;
  readonly db: DatabaseKind;
  readonly plan: Plan;
  readonly b7Sizes: number[];
  readonly b7Plan: { rounds: number; signIns: number; warm: number };
  log(line: string): void;
  /** Seconds since the bench started, e.g. "12s". */
  elapsed(): string;
  /** Throws a BenchError when a server crashed. */
  checkAlive(): void;
}

/** A Strapi process of the bench and its database. */
export interface Server {
  readonly proc: ServerProcess;
  readonly database: TestDatabase;
}

export interface Side {
  readonly label: string;
  readonly rounds: Round[];
}

export interface Outcome {
  readonly id: string;
  readonly title: string;
  readonly a?: Side & { readonly median: number };
  readonly b?: Side & { readonly median: number };
  readonly unit: string;
  readonly figure: string;
  readonly value: number;
  readonly goal: string;
  /** null: a reference, no goal. */
  readonly met: boolean | null;
  readonly details?: Record<string, unknown>;
  readonly rows?: string[][];
}
