import type { AssertionVerifier } from '../signed-assertions/verifier';
import type { SignedAssertionRules } from '../signed-assertions/signed-rules';
import { readAssertion, type Assertion, type AssertionRules, type ProxiedRequest } from '../pipeline/plain-header-identity';
import type { NormalizeIdentity } from '../pipeline/claim';
import { mentionsHeader, readOnce, type HeaderSource } from '../pipeline/identity-header';
import { Refusal } from '../pipeline/refusal';
import { assertSharedSecret, assertTrustedProxy } from '../pipeline/trust';

export interface IdentityRules {
  /** The plain-header rules (trust, claim, attributes). */
  readonly header: AssertionRules;
  /** The signed assertion, when configured: then it alone says who the person is. */
  readonly signed: SignedAssertionRules | null;
}

const ANONYMOUS: Assertion = { state: 'anonymous' };

/** Every header whose presence makes a request identity-bearing (and so subject to the trust checks). */
export function identityHeaders(rules: IdentityRules): readonly string[] {
  return rules.signed === null ? [rules.header.header] : [rules.signed.header, ...rules.signed.unsignedCompanions, rules.header.header];
}

/** Does the request carry (or claim to carry) an identity of any kind? */
export const mentionsIdentity = (source: HeaderSource, rules: IdentityRules): boolean =>
  identityHeaders(rules).some((name) => mentionsHeader(source, name));

/**
 * trust → identity, for every place that needs to know who a request is:
 * hand-off, explicit login, strict mode, the auth strategy, "Check this
 * connection" and the lock-out guard. One decision, so they can never disagree.
 *
 * Without a signed assertion: the plain header (readAssertion).
 * With one: only the verified JWT says who the person is. The plain header and
 * the proxy's unsigned companions (x-goog-authenticated-user-email,
 * x-amzn-oidc-identity, …) are never read; arriving without the JWT they are
 * refused (assertion-missing). trustedProxies and sharedSecret, when
 * configured, are still enforced on top of the signature. `cachedKeysOnly`
 * ("Check this connection") verifies with cached keys only: a kid not cached
 * is not fetched, so the check never spends the sign-ins' fetch budget.
 */
export async function identifyRequest(
  request: ProxiedRequest,
  rules: IdentityRules,
  verifier: AssertionVerifier,
  normalize?: NormalizeIdentity,
  { cachedKeysOnly = false }: { readonly cachedKeysOnly?: boolean } = {},
): Promise<Assertion> {
  const { signed, header } = rules;
  if (signed === null) return readAssertion(request, header, normalize);
  const source = request.headers;
  if (!mentionsIdentity(source, rules)) return ANONYMOUS;
  const listed = header.proxies.entries.length > 0;
  if (listed) assertTrustedProxy(source, request.remoteAddress, header);
  else assertSharedSecret(source, header.secret);

  const raw = readOnce(source, signed.header, 'assertion header', signed.label)?.trim() ?? '';
  if (raw === '') {
    const sent = [...signed.unsignedCompanions, header.header].filter((name) => mentionsHeader(source, name));
    throw new Refusal(
      'assertion-missing',
      `the request carries ${sent.map((name) => `"${name}"`).join(', ')} but no signed assertion in "${signed.label}"; ` +
        'with assertion configured only the verified JWT is believed — is the request bypassing the identity-aware proxy?',
      'The single sign-on proxy did not identify you. Sign in through your organisation’s portal.',
    );
  }
  // The peer goes into the key lookup: a kid not cached draws on its network's fetch budget (a listed proxy's on the reserve).
  return { state: 'asserted', claim: await verifier.claimOf(raw, signed, header, { peer: request.remoteAddress, listed, cachedKeysOnly }, normalize) };
}
