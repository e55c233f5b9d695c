/** Types that cross the wire between the server and the admin panel: the connection check ("Check this connection"). Imported by both; plain types and constants only. */

/** Query parameter the connection check sends the page's own origin in. */
export const PAGE_ORIGIN_PARAMETER = 'pageOrigin';

export interface Diagnostics {
  peer: string;
  trustedPeer: boolean;
  secret: 'not-configured' | 'matched' | 'missing' | 'mismatch';
  header: {
    name: string;
    state: 'absent' | 'present' | 'invalid';
    masked: string | null;
    problem: string | null;
  };
  /** The signed assertion, when one is configured (null or absent: none configured). */
  assertion?: AssertionCheck | null;
  /** The browser's origin against the one the plugin enforces (absent: an older server). */
  origin?: OriginCheck;
  /** The groups the proxy sent (null: no groups header) and the role references they map to. */
  groups?: { seen: readonly string[] | null; roles: readonly string[]; unmatched: readonly string[] };
  outcome: {
    result: 'anonymous' | 'would-sign-in' | 'would-create' | 'refused';
    user: { id: number | string; email: string } | null;
    code: string | null;
    reason: string | null;
  };
}

/**
 * The origin the browser uses (from Origin, Referer or the page location the
 * page sends) against the one the plugin enforces; `problem` names both and the fix.
 */
export interface OriginCheck {
  browser: string | null;
  seenIn: 'origin' | 'referer' | 'page' | null;
  enforced: string;
  enforcedFrom: 'server.url' | 'request';
  problem: string | null;
}

/** What the server made of this request's signed assertion. */
export interface AssertionCheck {
  /** The assertion preset in force (cloudflare-access, aws-alb, …). */
  preset: string;
  /** The header read, e.g. Cf-Access-Jwt-Assertion. */
  header: string;
  state: 'absent' | 'verified' | 'refused';
  /** assertion-expired, assertion-audience, …, keys-unavailable. */
  code: string | null;
  reason: string | null;
  /** The verified claims (personal ones masked by the server), in the server's order. */
  claims: Record<string, unknown> | null;
  /** The verified JWT's protected header (alg, kid, typ; ALB: signer). */
  protectedHeader?: Record<string, unknown> | null;
  /** Where the keys come from and the state of the cache. */
  keys?: { source: string; keys: number; fetchedAt: string | null; lastError: string | null };
  /** The configured key source fetched afresh: usable (keys of an allowed algorithm), unusable, or not checked (and why). */
  keyCheck?: { state: 'usable' | 'unusable' | 'not-checked'; url: string | null; detail: string };
}
