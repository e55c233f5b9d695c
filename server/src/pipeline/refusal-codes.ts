import type { RefusalCode, RefusalStatus } from './refusal';

/**
 * Every refusal code, read-only: the HTTP status the code answers with and a
 * fixed sentence for the operator (what it means, what to change). Call sites
 * still build their own Refusal; this table is what documentation
 * (`npm run docs` → docs/refusals.md) and tests read. A unit test
 * (tests/unit/refusal-codes.test.ts) checks that every code the server uses is
 * here, with the status its call sites answer with.
 */
export interface RefusalCodeInfo {
  readonly status: RefusalStatus;
  /** Where the refusal comes from: the request's trust, its identity, the account, or a signed assertion. */
  readonly group: 'trust' | 'identity' | 'account' | 'session' | 'assertion' | 'service';
  readonly hint: string;
}

export const REFUSAL_CODES: Readonly<Record<RefusalCode, RefusalCodeInfo>> = Object.freeze({
  'untrusted-peer': { status: 403, group: 'trust', hint: 'The identity header came from an address not in `trustedProxies`: a client reached Strapi directly, or the list misses your proxy.' },
  'secret-missing': { status: 403, group: 'trust', hint: 'The proxy did not send the shared-secret header, or sent it more than once: make the proxy set it on every request.' },
  'secret-mismatch': { status: 403, group: 'trust', hint: 'The shared-secret header does not match `sharedSecret.value`: give the proxy the same value as Strapi.' },
  'duplicate-header': { status: 400, group: 'trust', hint: 'The identity header (or an attribute header) arrived more than once: make the proxy overwrite it instead of appending.' },
  'header-twin': { status: 400, group: 'trust', hint: 'A look-alike header (`Remote_User` next to or instead of `Remote-User`) arrived: strip both spellings at the proxy.' },
  'forbidden-character': { status: 400, group: 'identity', hint: 'The identity or an attribute header contains a comma (how joined duplicates look) or a control character.' },
  'value-too-long': { status: 400, group: 'identity', hint: 'The identity is longer than 256 characters, or an attribute header or a group longer than its limit.' },
  'too-many-headers': { status: 400, group: 'trust', hint: 'The request has 1,000 header lines or more, so Node may have dropped the proxy\'s copy of the header: something is padding requests.' },
  'non-ascii-identity': { status: 403, group: 'identity', hint: 'The identity contains non-ASCII characters; look-alike letters could impersonate another account.' },
  'invalid-identity': { status: 403, group: 'identity', hint: 'Not a valid e-mail address or user name, or the `normalizeIdentity` hook refused it (or threw).' },
  'foreign-realm': { status: 403, group: 'identity', hint: '`user@REALM` from a realm not listed in `realms` (or `realms` is empty): list the realm if its users are yours.' },
  'unknown-user': { status: 403, group: 'account', hint: 'No admin account matches and `autoCreate` is off: invite the person in Settings → Users, or turn on `autoCreate`.' },
  'inactive-user': { status: 403, group: 'account', hint: 'The admin account is inactive: activate it in Settings → Users, or set `allowInactive`.' },
  'blocked-user': { status: 403, group: 'account', hint: 'The admin account is blocked in Settings → Users.' },
  'no-role': { status: 403, group: 'account', hint: 'A role in `defaultRoles` does not exist, or the person would be left with no role at all: fix `defaultRoles` or `groupRoles`.' },
  'group-required': { status: 403, group: 'account', hint: 'The person is in none of `requireGroups`, or the proxy sent no groups header.' },
  'group-denied': { status: 403, group: 'account', hint: 'The person is in a group listed in `denyGroups`, or the proxy sent no groups header while `denyGroups` is set.' },
  'account-not-linked': { status: 403, group: 'account', hint: 'An account no identity is linked to already uses the e-mail, and `linkByEmail` is off, or the address came from `emailHeader` (or a signed assertion\'s e-mail claim) and `linkByEmailHeader` is off.' },
  'account-linked-elsewhere': { status: 403, group: 'account', hint: 'The e-mail belongs to an account linked to another identity: an account is signed in by one identity only. If the person\'s identity changed, delete the old row in `remote_auth_identities`.' },
  'creation-rate-limited': { status: 429, group: 'account', hint: 'More than `maxNewUsersPerMinute` accounts were created in the last minute on this instance; the answer carries `Retry-After`.' },
  'no-identity': { status: 401, group: 'session', hint: '`/remote-auth/login` was called without an identity: is that route behind the proxy?' },
  'disabled': { status: 403, group: 'session', hint: '`enabled` is `false`: single sign-on is turned off.' },
  'password-login-disabled': { status: 403, group: 'session', hint: '`allowPasswordLogin` is off and this account signs in through the proxy: password login, registration, password reset or renewing a password session is refused.' },
  'cross-site-request': { status: 403, group: 'session', hint: 'A request authenticated by the header, or the renewal of a single sign-on session, did not come from the admin\'s own origin (scheme, host, port), or `/remote-auth/login` or `/logout` was fired by another page: set `server.url` to the public address.' },
  'token-creation-refused': { status: 403, group: 'session', hint: 'Strict mode: a single sign-on session tried to create or regenerate an admin token, which would outlive the header. Create admin tokens from a password session of an account not linked to the proxy.' },
  'service-unavailable': { status: 503, group: 'service', hint: 'The database failed or did not answer during sign-in (or the `onLogin` hook threw); nothing was half-created. Sign-ins work again as soon as it is back.' },
  'assertion-expired': { status: 403, group: 'assertion', hint: 'The signed assertion\'s `exp` has passed, its `nbf` is in the future, or its `iat` is further off than `clockToleranceSeconds`: check this server\'s clock.' },
  'assertion-audience': { status: 403, group: 'assertion', hint: '`aud` is not the configured audience (AUD tag, client id, IAP project number or backend service id), or with `oidc`/`custom` an `azp` that is not one of the configured audiences.' },
  'assertion-issuer': { status: 403, group: 'assertion', hint: '`iss` is not the configured issuer (another Cloudflare team, identity provider or route), or an ALB token\'s `signer` is not `albArn`.' },
  'assertion-signature': { status: 403, group: 'assertion', hint: 'The signature does not match the key its `kid` names: the token was not signed by your provider.' },
  'assertion-unknown-key': { status: 403, group: 'assertion', hint: 'The `kid` is not in the key set, even after one refetch (or that `kid` was refetched less than 30 s ago).' },
  'assertion-algorithm': { status: 403, group: 'assertion', hint: 'The algorithm is not in the allow-list (`none`, HS256 without `hmacSecret`, …).' },
  'assertion-malformed': { status: 400, group: 'assertion', hint: 'Not a compact JWS, over 16 KB, a required claim missing or of the wrong type, an ALB `kid` that is not a key id, or an access or refresh token instead of an ID token.' },
  'assertion-missing': { status: 401, group: 'assertion', hint: 'A signed assertion is configured and the request carries the plain identity header or an unsigned companion but no signed assertion: someone is reaching Strapi around the proxy, or the proxy does not forward the JWT.' },
  'assertion-email-unverified': { status: 403, group: 'assertion', hint: 'The assertion\'s `email_verified` is present and not `true`: the address neither identifies anyone nor links an account. Have the person verify it at the identity provider.' },
  'keys-unavailable': { status: 503, group: 'assertion', hint: 'The key URL (or OIDC discovery) failed, timed out after 5 s or sent no usable key set, and no cached key covers the token; or the budget of key fetches for new kids is spent. Carries `Retry-After`.' },
});
