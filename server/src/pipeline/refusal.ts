/**
 * A refusal is the pipeline's only way to say "no". It carries:
 * - `code`: a stable, machine-readable identifier (documented in the README);
 * - `status`: the HTTP status the adapter answers with;
 * - `reason`: what the operator should know (logged, never shown to the end user
 *   verbatim when it could leak configuration);
 * - `publicMessage`: a plain sentence for the person in front of the browser.
 */
export type RefusalCode =
  | 'untrusted-peer'
  | 'secret-missing'
  | 'secret-mismatch'
  | 'duplicate-header'
  | 'header-twin'
  | 'forbidden-character'
  | 'value-too-long'
  | 'non-ascii-identity'
  | 'invalid-identity'
  | 'unknown-user'
  | 'inactive-user'
  | 'blocked-user'
  | 'no-role'
  | 'password-login-disabled'
  | 'cross-site-request'
  | 'group-required'
  | 'group-denied'
  | 'account-not-linked'
  | 'no-identity'
  | 'disabled'
  | 'service-unavailable'
  | 'too-many-headers';

export class Refusal extends Error {
  readonly code: RefusalCode;
  readonly status: 400 | 401 | 403 | 503;
  readonly publicMessage: string;

  constructor(code: RefusalCode, status: 400 | 401 | 403 | 503, reason: string, publicMessage: string) {
    super(reason);
    this.name = 'Refusal';
    this.code = code;
    this.status = status;
    this.publicMessage = publicMessage;
  }

  /** What the operator reads in the log: never contains the secret or a token. */
  get reason(): string {
    return this.message;
  }
}

export const isRefusal = (value: unknown): value is Refusal => value instanceof Refusal;
