/**
 * A refusal is the pipeline's only way to say "no". It carries:
 * - `code`: a stable, machine-readable identifier, a row of the table of refusals
 *   (refusal-codes.ts: status, meaning, hint; docs/refusals.md is generated from it);
 * - `status`: the HTTP status the adapter answers with, from the table (never restated at a call site);
 * - `reason`: what the operator should know about this very request (logged,
 *   escaped; never shown to the end user, never stored as the hint — it may quote
 *   request data);
 * - `hint`: the fixed sentence for the code (what to change), as the Activity page shows it;
 * - `publicMessage`: a plain sentence for the person in front of the browser.
 */
import { REFUSAL_CODES, hintFor, type RefusalCode, type RefusalStatus } from './refusal-codes';

export type { RefusalCode, RefusalStatus } from './refusal-codes';

export class Refusal extends Error {
  readonly code: RefusalCode;
  readonly status: RefusalStatus;
  readonly publicMessage: string;
  /** For 429 and 503: seconds after which trying again may succeed (the `Retry-After` header). */
  readonly retryAfterSeconds: number | null;

  constructor(code: RefusalCode, reason: string, publicMessage: string, retryAfterSeconds: number | null = null) {
    super(reason);
    this.name = 'Refusal';
    this.code = code;
    this.status = REFUSAL_CODES[code].status;
    this.publicMessage = publicMessage;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** What the operator reads in the log: never contains the secret or a token. */
  get reason(): string {
    return this.message;
  }

  /** What the operator should change: our own sentence for the code, never request data (T27). */
  get hint(): string {
    return hintFor(this.code);
  }
}

/** The public message of every refusal of a malformed identity or attribute header. */
export const INVALID_IDENTITY = 'The identity sent by the proxy is not valid.';

export const isRefusal = (value: unknown): value is Refusal => value instanceof Refusal;
