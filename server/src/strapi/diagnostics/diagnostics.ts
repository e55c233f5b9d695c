import type { Context } from 'koa';
import { decodeProtectedHeader } from 'jose';
import { probeKeys, type KeyProbe } from '../../signed-assertions/key-probe';
import type { AssertionVerifier } from '../../signed-assertions/verifier';
import { readOnce } from '../../pipeline/identity-header';
import { mentionsHeader, readIdentityHeader } from '../../pipeline/identity-header';
import { mapGroups } from '../../pipeline/group-roles';
import { isRefusal } from '../../pipeline/refusal';
import type { Masking } from '../../pipeline/masking';
import { secretState, type SecretState } from '../../pipeline/trust';
import { isTrustedPeer } from '../../pipeline/trusted-proxies';
import { expectedOrigin, originOf, statedOrigin } from '../../pipeline/same-origin';
import type { CompiledSettings } from '../../settings-schema/compile';
import type { AccountResolver } from '../sign-in/account-resolver';
import type { SignIn } from '../sign-in/sign-in';
import type { Diagnostics } from '../../../../shared/contracts/diagnostics';

export interface Diagnosis {
  peer: string;
  trustedPeer: boolean;
  secret: SecretState;
  header: { name: string; state: 'absent' | 'present' | 'invalid'; masked: string | null; problem: string | null };
  /**
   * With a signed assertion configured (null otherwise): whether this request's
   * JWT verified, its verified claims and header, or the precise refusal code;
   * and where the keys come from and how old the cached ones are.
   */
  assertion: {
    preset: string;
    header: string;
    state: 'absent' | 'verified' | 'refused';
    code: string | null;
    reason: string | null;
    claims: Record<string, unknown> | null;
    protectedHeader: Record<string, unknown> | null;
    keys: { source: string; keys: number; fetchedAt: string | null; lastError: string | null };
    /** The configured key source fetched afresh: does it answer with keys of an allowed algorithm? */
    keyCheck: KeyProbe;
  } | null;
  /**
   * The admin origin the plugin enforces (server.url, else this request's own
   * origin as Strapi computes it) against the origin the browser uses; a
   * mismatch means single sign-on renewals are refused as cross-site.
   */
  origin: OriginCheck;
  /** The groups the proxy sent (null: no groups header) and the role references they map to. */
  groups: { seen: readonly string[] | null; roles: readonly string[]; unmatched: readonly string[] };
  outcome: {
    result: 'anonymous' | 'would-sign-in' | 'would-create' | 'refused';
    user: { id: number; email: string } | null;
    code: string | null;
    reason: string | null;
  };
}

/** What the server answers must fit what the panel reads (shared/contracts/diagnostics.ts): a drift does not compile. */
export const fitsContract = (diagnosis: Diagnosis): Diagnostics => diagnosis;

export interface OriginCheck {
  /** The browser's origin, or null when this request does not show it. */
  readonly browser: string | null;
  /** Where the browser's origin was read: the Origin header, the Referer, or the page location the admin sent. */
  readonly seenIn: 'origin' | 'referer' | 'page' | null;
  readonly enforced: string;
  /** Where the enforced origin comes from. */
  readonly enforcedFrom: 'server.url' | 'request';
  /** Null when both agree (or the browser's origin is unknown); otherwise what goes wrong and the fix. */
  readonly problem: string | null;
}

/** Query parameter the settings page sends its own `window.location.origin` in. */
export const PAGE_ORIGIN_PARAMETER = 'pageOrigin';

/** The origin the browser uses, from the best evidence this request carries. */
function browserOrigin(ctx: Context): Pick<OriginCheck, 'browser' | 'seenIn'> {
  const page = ctx.query[PAGE_ORIGIN_PARAMETER];
  const candidates: Array<[OriginCheck['seenIn'], string | undefined]> = [
    ['origin', ctx.get('origin') || undefined],
    ['referer', ctx.get('referer') || undefined],
    ['page', typeof page === 'string' ? page : undefined],
  ];
  for (const [seenIn, value] of candidates) {
    const origin = value === undefined ? null : originOf(value);
    if (origin !== null) return { browser: origin, seenIn };
  }
  return { browser: null, seenIn: null };
}

/** Compares the browser's origin with the one the same-origin checks enforce (scheme, host and port). */
export function checkOrigin(ctx: Context, serverUrl: unknown): OriginCheck {
  const stated = statedOrigin(serverUrl);
  const enforced = expectedOrigin(serverUrl, ctx.origin);
  const seen = browserOrigin(ctx);
  const problem =
    seen.browser === null || seen.browser === enforced
      ? null
      : `the browser uses ${seen.browser} but this plugin enforces ${enforced} (${stated ? 'server.url' : 'the origin Strapi sees on the request'}); ` +
        'renewals of single sign-on sessions (POST /admin/access-token) are refused as cross-site-request and sessions end after about 30 minutes. ' +
        `Fix: set url in config/server.ts to ${seen.browser}`;
  return { ...seen, enforced, enforcedFrom: stated ? 'server.url' : 'request', problem };
}

/**
 * "Check this connection": what the plugin would do with this very request,
 * step by step, without signing anybody in or creating anything — the same
 * trust and identity checks as a sign-in, and the account resolver's dry run.
 */
export async function diagnose(
  ctx: Context,
  compiled: CompiledSettings,
  { signIn, resolver, verifier, serverUrl, mask, now = Date.now }: { signIn: SignIn; resolver: AccountResolver; verifier: AssertionVerifier; serverUrl: unknown; mask: Masking; now?: () => number },
): Promise<Diagnosis> {
  const { assertion: rules, settings } = compiled;
  const peer = ctx.req.socket.remoteAddress ?? 'unknown';

  const header: Diagnosis['header'] = { name: settings.header, state: 'absent', masked: null, problem: null };
  if (mentionsHeader(ctx.req, rules.header)) {
    try {
      const reading = readIdentityHeader(ctx.req, rules.header, settings.header);
      if (reading.state === 'present') Object.assign(header, { state: 'present', masked: mask.identity(reading.value) });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      Object.assign(header, { state: 'invalid', problem: error.reason });
    }
  }

  const signed = compiled.identity.signed === null ? null : await inspectAssertion(ctx, compiled, verifier, mask, now);

  const outcome: Diagnosis['outcome'] = { result: 'anonymous', user: null, code: null, reason: null };
  const groups: Diagnosis['groups'] = { seen: null, roles: [], unmatched: [] };
  try {
    // Cached keys only: the check must not spend the fetch budget of sign-ins (its key check fetches, cached).
    const assertion = settings.enabled ? await signIn.assertIdentity(ctx, compiled, { cachedKeysOnly: true }) : ({ state: 'anonymous' } as const);
    if (assertion.state === 'asserted') {
      const { claim } = assertion;
      const seen = claim.attributes.groups;
      if (seen !== null) Object.assign(groups, { seen, ...mapGroups(seen, settings.groupRoles) });
      const plan = await resolver.plan(claim, settings);
      if (plan.action === 'provision') {
        outcome.result = 'would-create';
        outcome.reason = `a new admin user ${claim.email} with roles ${plan.roles.map((role) => role.code).join(', ')}`;
      } else {
        outcome.result = 'would-sign-in';
        outcome.user = { id: plan.match.user.id, email: plan.match.user.email };
        if (plan.match.via === 'email') outcome.reason = `links "${claim.subject}" to this existing account by its e-mail address`;
        if (plan.activate) outcome.reason = 'activates this inactive account (allowInactive is on)';
      }
    } else if (!settings.enabled) {
      outcome.reason = 'remote login is turned off (enabled: false)';
    }
  } catch (error) {
    if (!isRefusal(error)) throw error;
    Object.assign(outcome, { result: 'refused', code: error.code, reason: error.reason });
  }

  return {
    peer,
    trustedPeer: isTrustedPeer(rules.proxies, ctx.req.socket.remoteAddress),
    secret: secretState(ctx.req, rules.secret),
    header,
    assertion: signed,
    origin: checkOrigin(ctx, serverUrl),
    groups,
    outcome,
  };
}

/** The verified claims, with the identity and e-mail claims masked as every identity here is. */
function maskedClaims(payload: Record<string, unknown>, rules: NonNullable<CompiledSettings['identity']['signed']>, mask: Masking): Record<string, unknown> {
  const claims = { ...payload };
  for (const name of new Set([rules.claims.identity, rules.claims.email])) {
    const value = name === null ? undefined : claims[name];
    if (name !== null && typeof value === 'string') claims[name] = mask.identity(value);
  }
  return claims;
}

/** The signed assertion of this request, verified afresh (no cache), or why it is refused. */
async function inspectAssertion(ctx: Context, compiled: CompiledSettings, verifier: AssertionVerifier, mask: Masking, now: () => number): Promise<NonNullable<Diagnosis['assertion']>> {
  const rules = compiled.identity.signed!;
  const result: NonNullable<Diagnosis['assertion']> = {
    preset: rules.preset,
    header: rules.label,
    state: 'absent',
    code: null,
    reason: null,
    claims: null,
    protectedHeader: null,
    keys: verifier.describeKeys(rules),
    keyCheck: { state: 'not-checked', url: null, detail: '' },
  };
  let token: string | undefined;
  try {
    token = readOnce(ctx.req, rules.header, 'assertion header', rules.label)?.trim();
    if (token) {
      const verified = await verifier.inspect(token, rules);
      Object.assign(result, { state: 'verified', claims: maskedClaims(verified.payload, rules, mask), protectedHeader: verified.header });
    }
  } catch (error) {
    if (!isRefusal(error)) throw error;
    Object.assign(result, { state: 'refused', code: error.code, reason: error.reason });
  }
  result.keys = verifier.describeKeys(rules);
  result.keyCheck = await probeKeys(rules, token ? keyIdOf(token) : null, now);
  return result;
}

/** The kid a token names (read, not trusted: it only picks which per-kid key URL the check fetches). */
function keyIdOf(token: string): string | null {
  try {
    // ALB pads its segments with "="; jose reads unpadded base64url.
    const kid = decodeProtectedHeader(`${token.split('.')[0].replace(/=+$/, '')}..`).kid;
    return typeof kid === 'string' ? kid : null;
  } catch {
    return null;
  }
}
