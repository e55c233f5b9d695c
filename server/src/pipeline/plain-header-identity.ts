import { readAttributes, type AttributeRules } from './attributes';
import { toClaim, withAttributes, type Claim, type ClaimRules, type NormalizeIdentity } from './claim';
import { mentionsHeader, readIdentityHeader, type HeaderSource } from './identity-header';
import { assertTrustedProxy, type TrustRules } from './trust';

export interface AssertionRules extends TrustRules, ClaimRules, AttributeRules {
  /** Lower-case identity header name. */
  readonly header: string;
}

export interface ProxiedRequest {
  readonly headers: HeaderSource;
  /** The socket's peer address, never a forwarded one. */
  readonly remoteAddress: string | undefined;
}

export type Assertion = { readonly state: 'anonymous' } | { readonly state: 'asserted'; readonly claim: Claim };

const ANONYMOUS: Assertion = { state: 'anonymous' };

/**
 * trust → identity: what identity, if any, does this request assert?
 *
 * A request that mentions no identity header is anonymous. One that does must
 * come from a trusted proxy (and carry the shared secret when configured),
 * carry exactly one well-formed value, and that value must normalise to a
 * valid claim. Every failure is a Refusal; nothing here touches Strapi.
 */
export function readAssertion(request: ProxiedRequest, rules: AssertionRules, normalize?: NormalizeIdentity): Assertion {
  if (!mentionsHeader(request.headers, rules.header)) return ANONYMOUS;
  assertTrustedProxy(request.headers, request.remoteAddress, rules);
  const reading = readIdentityHeader(request.headers, rules.header);
  if (reading.state === 'absent') return ANONYMOUS;
  const claim = toClaim(reading.value, rules, normalize);
  return { state: 'asserted', claim: withAttributes(claim, readAttributes(request.headers, rules), rules) };
}
