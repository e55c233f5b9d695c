import { importSPKI, type JWK } from 'jose';
import { ALB_KID, discoverJwksUrl, parseJwks, staticJwks } from './key-store';
import { fetchKeyDocument } from './fetch-limited';
import type { KeySource, SignedAssertionRules } from './signed-rules';

/**
 * "Check this connection": does the configured key source answer with keys
 * that can verify a token of an allowed algorithm? Fetched past the key
 * store's cache (its own answers are cached a few seconds), so a wrong key URL
 * shows up before anyone signs in.
 */
export interface KeyProbe {
  /** usable: at least one key of an allowed algorithm; unusable: none, or no answer; not-checked: nothing to fetch. */
  readonly state: 'usable' | 'unusable' | 'not-checked';
  /** The URL fetched, if any. */
  readonly url: string | null;
  /** A sentence for the operator. */
  readonly detail: string;
}

const EC_ALGORITHMS: Readonly<Record<string, string>> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

/** The algorithms a published key can verify, as far as the key says. */
function algorithmsOf(jwk: JWK): readonly string[] {
  if (jwk.use !== undefined && jwk.use !== 'sig') return [];
  if (typeof jwk.alg === 'string') return [jwk.alg];
  switch (jwk.kty) {
    case 'RSA':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'EC':
      return typeof jwk.crv === 'string' && EC_ALGORITHMS[jwk.crv] ? [EC_ALGORITHMS[jwk.crv]] : [];
    case 'OKP':
      return jwk.crv === 'Ed25519' || jwk.crv === 'Ed448' ? ['EdDSA'] : [];
    default:
      return [];
  }
}

/** How many of the keys can verify one of the allowed algorithms. */
export function usableKeyCount(keys: readonly JWK[], algorithms: readonly string[]): number {
  return keys.filter((jwk) => algorithmsOf(jwk).some((alg) => algorithms.includes(alg))).length;
}

function judgeJwks(keys: readonly JWK[], algorithms: readonly string[], url: string | null, where: string): KeyProbe {
  const usable = usableKeyCount(keys, algorithms);
  const allowed = algorithms.join(', ');
  if (usable > 0) return { state: 'usable', url, detail: `${where} lists ${keys.length} public key(s), ${usable} of them for ${allowed}` };
  return {
    state: 'unusable',
    url,
    detail: keys.length === 0
      ? `${where} lists no public key: no token can be verified`
      : `${where} lists ${keys.length} public key(s), none for the allowed algorithms (${allowed}): no token can be verified — check .algorithms and the key URL`,
  };
}

async function probeJwksUrl(url: string, algorithms: readonly string[]): Promise<KeyProbe> {
  const jwks = parseJwks(await fetchKeyDocument(url), url);
  return judgeJwks(jwks.keys, algorithms, url, `the key URL ${url}`);
}

/** ALB: no list of keys, only one PEM per kid; the kid of this request's token, if any, is what can be checked. */
async function probePemPerKid(baseUrl: string, algorithms: readonly string[], kid: string | null): Promise<KeyProbe> {
  if (kid === null) {
    return {
      state: 'not-checked',
      url: null,
      detail: `the key source publishes one key per key id at ${baseUrl}<kid> and no list of keys, so nothing was fetched: ` +
        'open this check through the load balancer to have the key of its token fetched',
    };
  }
  if (!ALB_KID.test(kid)) {
    return { state: 'not-checked', url: null, detail: `this request's token names a key id ALB does not issue, so ${baseUrl}<kid> was not fetched` };
  }
  const url = `${baseUrl}${encodeURIComponent(kid)}`;
  const pem = (await fetchKeyDocument(url)).trim();
  for (const alg of algorithms) {
    try {
      await importSPKI(pem, alg);
      return { state: 'usable', url, detail: `${url} (the key id of this request's token) answered with a PEM public key for ${alg}; keys of other key ids are fetched as tokens name them` };
    } catch {
      // not a key for this algorithm; try the next one
    }
  }
  return { state: 'unusable', url, detail: `${url} (the key id of this request's token) did not answer with a PEM public key for ${algorithms.join(', ')}` };
}

async function probeSource(source: KeySource, algorithms: readonly string[], kid: string | null): Promise<KeyProbe> {
  switch (source.kind) {
    case 'jwks':
      return probeJwksUrl(source.url, algorithms);
    case 'discovery':
      return probeJwksUrl(await discoverJwksUrl(source.issuer), algorithms);
    case 'pem-per-kid':
      return probePemPerKid(source.baseUrl, algorithms, kid);
    case 'static':
      return judgeJwks(staticJwks(source.keys).keys, algorithms, null, 'the static keys in the settings');
    case 'none':
      return { state: 'not-checked', url: null, detail: 'no public keys are configured: tokens are verified with the HMAC secret only' };
  }
}

/** A probe's answer is reused this long per key source (and kid, for one key per kid): repeated checks do not fetch again. */
export const PROBE_CACHE_MS = 5_000;
/** Answers kept at most (oldest forgotten first). */
const PROBE_CACHE_LIMIT = 256;
const answers = new Map<string, { readonly at: number; readonly answer: Promise<KeyProbe> }>();

/** What an answer is cached by: the key source and the algorithms, and the kid only where it picks the URL fetched. */
function probeKey(rules: SignedAssertionRules, kid: string | null): string {
  return JSON.stringify([rules.keySource, rules.algorithms, rules.keySource.kind === 'pem-per-kid' ? kid : null]);
}

async function probeAfresh(rules: SignedAssertionRules, kid: string | null): Promise<KeyProbe> {
  try {
    return await probeSource(rules.keySource, rules.algorithms, kid);
  } catch (error) {
    return { state: 'unusable', url: null, detail: (error as Error).message };
  }
}

/**
 * Fetches the configured key source (never one a token names) and says
 * whether it can verify tokens. The answer is cached for PROBE_CACHE_MS per
 * key source and kid (checks running at once share one fetch), and the fetch
 * never touches the key store of sign-ins nor its unknown-kid budget.
 */
export function probeKeys(rules: SignedAssertionRules, kid: string | null, now: () => number = Date.now): Promise<KeyProbe> {
  const key = probeKey(rules, kid);
  const at = now();
  const cached = answers.get(key);
  if (cached && at - cached.at < PROBE_CACHE_MS) return cached.answer;
  answers.delete(key);
  if (answers.size >= PROBE_CACHE_LIMIT) answers.delete(answers.keys().next().value as string);
  const answer = probeAfresh(rules, kid);
  answers.set(key, { at, answer });
  return answer;
}
