import type { RefusalCode } from './refusal';

/**
 * What the operator should check or change, one fixed sentence per refusal
 * code: the hint the Activity page shows. A hint never quotes the request —
 * not an identity, a header value, a claim, nor a library's error message,
 * which may quote any of these (T27: a token's `crit` names land verbatim in
 * jose's message). The specifics of one refusal are in its log line, escaped.
 */
export const REFUSAL_HINTS: Readonly<Record<RefusalCode, string>> = {
  'untrusted-peer':
    'The identity arrived from a peer that is not in trustedProxies: a client may be talking to Strapi directly. Bind Strapi to a private interface; if the peer is your proxy, add its address to trustedProxies.',
  'secret-missing': 'The proxy did not send the shared-secret header exactly once. Make the proxy set (not append) the sharedSecret header on every request.',
  'secret-mismatch': 'The shared-secret header does not match sharedSecret. Give the proxy and Strapi the same secret.',
  'duplicate-header': 'The identity header arrived more than once. Configure the proxy to overwrite the header (proxy_set_header / RequestHeader set), not append to it.',
  'header-twin': 'The request carries a look-alike of the identity header (differing by "_" or "-"). Make the proxy strip client copies of both spellings.',
  'forbidden-character': 'The identity or an attribute header contains a comma or a control character. Check what the proxy puts in these headers.',
  'value-too-long': 'The identity, an attribute or a group is longer than the plugin accepts. Check what the proxy puts in these headers.',
  'non-ascii-identity': 'The identity contains non-ASCII characters, which could imitate another account. Send ASCII identities, or normalise them in a normalizeIdentity hook.',
  'invalid-identity': 'The identity is not a valid account name for userField. Check userField, emailDomain and what the proxy sends.',
  'unknown-user': 'No admin user matches this identity and autoCreate is off. Invite the user in Settings → Users, or turn on autoCreate.',
  'inactive-user': 'The matching admin user is inactive. Activate it in Settings → Users, or turn on allowInactive.',
  'blocked-user': 'The matching admin user is blocked. Unblock it in Settings → Users if this person should sign in.',
  'no-role': 'A role named in defaultRoles or groupRoles does not exist. Fix these settings to name existing roles.',
  'password-login-disabled': 'This account signs in through the proxy and allowPasswordLogin is off. Sign in through the proxy, or turn on allowPasswordLogin.',
  'cross-site-request': 'A request authenticated by the proxy came from another origin. If this is the admin’s own address, set server.url to it (or turn on server.proxy so X-Forwarded-Proto/Host count).',
  'group-required': 'The person is in none of requireGroups, or the proxy sent no groups header. Check requireGroups, groupsHeader and the proxy’s group forwarding.',
  'group-denied': 'The person is in a group listed in denyGroups, or the proxy sent no groups header while denyGroups is set. Check denyGroups and groupsHeader.',
  'account-not-linked': 'An admin account with this e-mail address exists but was never linked to this identity. Link it by e-mail only where the address is trustworthy (linkByEmail; linkByEmailHeader for an e-mail attribute header).',
  'account-linked-elsewhere': 'The admin account with this e-mail address is linked to another identity. An account is signed in only by the identity linked to it; if that person’s identity really changed, delete the old identity link (the log line names it).',
  'foreign-realm': 'The identity carries a realm that is not listed in realms. List the realms whose users are local, or use userField "email" for e-mail identities.',
  'creation-rate-limited': 'More accounts were created in the last minute than maxNewUsersPerMinute allows. Raise it if this many people really sign in for the first time at once.',
  'no-identity': 'The proxy did not send the identity. Check that this route is behind the proxy and that the proxy sets the identity header.',
  disabled: 'Remote login is turned off (enabled: false).',
  'service-unavailable': 'The database did not answer in time or failed during the sign-in. See the Strapi log at this time for the error.',
  'too-many-headers': 'The request carries so many header lines that a header appended by the proxy could be hidden. Have the proxy limit request headers.',
  'token-creation-refused': 'In strict mode a single sign-on session may not create admin tokens. Create them from a password session of an account that is not linked to the proxy.',
  'assertion-expired': 'The signed assertion is expired, not yet valid, or issued in the future. Check this server’s clock and clockToleranceSeconds.',
  'assertion-audience': 'The signed assertion is for another audience or client. Check the audience settings of assertion (AUD tag, client id, project and backend ids).',
  'assertion-issuer': 'The signed assertion was issued or signed by another party. Check assertion.issuer (and albArn for AWS ALB).',
  'assertion-signature': 'The signed assertion’s signature does not verify with the configured keys: it was not signed by the configured provider.',
  'assertion-unknown-key': 'The signed assertion names a key the key source does not publish. Check that the key source belongs to the provider that signs the assertions.',
  'assertion-algorithm': 'The signed assertion uses an algorithm that is not allowed. Allowed algorithms are set by the preset or assertion.algorithms.',
  'assertion-malformed': 'The assertion header does not carry a well-formed identity token with the configured claims. Check that the proxy forwards its ID token and the claims settings of assertion.',
  'assertion-missing': 'The request carries no signed assertion. Check that the proxy forwards it in the configured assertion header.',
  'assertion-email-unverified': 'The assertion’s e-mail address is not marked as verified by the identity provider, so it is not used as an identity or to link an account.',
  'keys-unavailable': 'The identity provider’s keys could not be loaded. Check that Strapi can reach the key source (jwksUrl) and see the Strapi log for the error.',
};

/** The fixed hint for `code`. */
export const hintFor = (code: RefusalCode): string => REFUSAL_HINTS[code];
