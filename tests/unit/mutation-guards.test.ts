/**
 * Tests written for mutants that survived the unit and integration suites of
 * the mutation pass (see the commit messages): each pins one boundary or guard
 * of the security-critical pure code that nothing else checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrustedProxies } from '../../server/src/pipeline/trusted-proxies';
import { MAX_HEADER_LINES, mentionsHeader } from '../../server/src/pipeline/identity-header';
import { signInStepProblem } from '../../server/src/pipeline/same-origin';
import { groupMatches } from '../../server/src/pipeline/group-roles';
import { keyUrlProblem } from '../../server/src/signed-assertions/key-url';
import { parseJwks, createKeyStore } from '../../server/src/signed-assertions/key-store';
import { compileSignedRules } from '../../server/src/signed-assertions/signed-rules';
import { verifyAssertion } from '../../server/src/signed-assertions/verify-assertion';
import { Refusal } from '../../server/src/pipeline/refusal';
import { identifyRequest } from '../../server/src/identity/request-identity';
import { createAssertionVerifier } from '../../server/src/signed-assertions/verifier';
import { compileSettings } from '../../server/src/settings-schema/compile';
import { parseSettings } from '../../server/src/settings-schema/schema';
import { albToken, createSigningKey, oidcToken, pomeriumToken, signToken } from '../harness/assertion-tokens';
import { headers } from './fake-headers';

/** The peer a key lookup is for (key budgets are per network); not a listed proxy. */
const PEER = { network: '127.0.0.0/24', reserved: false };

const now = (): number => Math.floor(Date.now() / 1000);

async function refusalOf(work: Promise<unknown>): Promise<Refusal> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof Refusal, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

// --- trust (T3) -------------------------------------------------------------------

test('trustedProxies: an IPv6 entry embedding a quad in any form but "::ffff:a.b.c.d" is refused (T3)', () => {
  for (const entry of ['::127.0.0.1', '64:ff9b::10.0.0.1', '::1:10.0.0.1/128']) {
    assert.throws(() => parseTrustedProxies([entry]), /embeds an IPv4 address in a form other than "::ffff:a\.b\.c\.d"/, entry);
  }
  assert.equal(parseTrustedProxies(['::ffff:10.0.0.1']).ranges.length, 1);
});

// --- header rules (T22) ----------------------------------------------------------------

test('mentionsHeader: a request at the header-line limit counts as carrying the identity header (T22)', () => {
  const padding = (count: number): Array<[string, string]> => Array.from({ length: count }, (_, i) => [`X-Pad-${i}`, 'x'] as [string, string]);
  assert.equal(mentionsHeader(headers(...padding(MAX_HEADER_LINES - 1)), 'remote-user'), false);
  assert.equal(mentionsHeader(headers(...padding(MAX_HEADER_LINES)), 'remote-user'), true);
});

// --- sign-in steps (T13) ---------------------------------------------------------------

test('sign-in steps: only top-level navigations; sign-out never from another site, sign-in may be', () => {
  for (const mode of ['cors', 'no-cors', 'same-origin', 'websocket']) {
    for (const step of ['login', 'logout'] as const) {
      assert.match(signInStepProblem(step, { secFetchMode: mode, secFetchSite: 'same-origin' }) ?? '', /must be a top-level navigation/, `${step} ${mode}`);
    }
  }
  for (const site of ['cross-site', 'same-site']) {
    assert.match(signInStepProblem('logout', { secFetchMode: 'navigate', secFetchSite: site }) ?? '', /sign-out must start on the admin itself/);
    assert.equal(signInStepProblem('login', { secFetchMode: 'navigate', secFetchSite: site }), null);
  }
  assert.equal(signInStepProblem('logout', { secFetchMode: 'navigate', secFetchSite: 'none' }), null);
});

// --- group mapping (T9) ----------------------------------------------------------------

test('groupMatches folds every ASCII capital, Z included', () => {
  assert.equal(groupMatches('CMS-ZONE', 'cms-zone'), true);
  assert.equal(groupMatches('cms-zone', 'CMS-ZONE'), true);
  assert.equal(groupMatches('Z*', 'zed'), true);
});

// --- key URLs and key sets --------------------------------------------------------------

test('key URLs: plain http only to 127.0.0.0/8, ::1 or localhost; no password either', () => {
  assert.equal(keyUrlProblem('http://127.0.0.1:8080/jwks'), null);
  assert.equal(keyUrlProblem('http://127.200.1.1/jwks'), null);
  for (const url of ['http://120.0.0.1/jwks', 'http://12.0.0.1/jwks', 'http://128.0.0.1/jwks', 'http://10.0.0.1/jwks']) {
    assert.match(keyUrlProblem(url) ?? '', /must use https/, url);
  }
  assert.match(keyUrlProblem('https://:secret@idp.example/jwks') ?? '', /must not carry a user name or password/);
  assert.match(keyUrlProblem('https://user@idp.example/jwks') ?? '', /must not carry a user name or password/);
});

test('a fetched JWKS keeps public keys only: symmetric (oct) and private keys are dropped', async () => {
  const rsa = await createSigningKey('RS256', 'pub');
  const jwks = parseJwks(
    JSON.stringify({
      keys: [rsa.publicJwk, { kty: 'oct', kid: 'sym', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0' }, { ...rsa.publicJwk, kid: 'priv', d: 'AAAA' }],
    }),
    'https://idp.example/jwks',
  );
  assert.deepEqual(
    jwks.keys.map((key) => key.kid),
    ['pub'],
  );
});

// --- signed assertions ------------------------------------------------------------------

const ISSUER = 'https://idp.corp.example';

test('iat: an issue time just beyond clockToleranceSeconds is refused, one within it passes', async () => {
  const rsa = await createSigningKey('RS256', 'k1');
  const rules = compileSignedRules({
    preset: 'oidc',
    header: 'X-Id',
    issuer: ISSUER,
    audience: 'cms',
    clockToleranceSeconds: 30,
    keys: { keys: [rsa.publicJwk] } as Record<string, unknown>,
  });
  const keys = createKeyStore(rules.keySource, 60);
  const token = (iat: number) => oidcToken(rsa, { issuer: ISSUER, clientId: 'cms', person: { email: 'a@corp.example' }, claims: { iat, nbf: now() - 60 } });
  await verifyAssertion(await token(now() + 10), rules, keys, PEER);
  const refusal = await refusalOf(verifyAssertion(await token(now() + 30 + 20), rules, keys, PEER));
  assert.equal(refusal.code, 'assertion-expired');
  assert.match(refusal.reason, /issue time .* in the future/);
});

test('custom preset: an ID token issued to another client (azp) is refused like with oidc (T28)', async () => {
  const rsa = await createSigningKey('RS256', 'k1');
  const rules = compileSignedRules({ preset: 'custom', header: 'X-Id', issuer: ISSUER, audience: 'cms', algorithms: ['RS256'], keys: { keys: [rsa.publicJwk] } as Record<string, unknown> });
  const keys = createKeyStore(rules.keySource, 60);
  const claims = (extra: Record<string, unknown>) => ({ iss: ISSUER, sub: 'u1', email: 'a@corp.example', iat: now(), exp: now() + 120, ...extra });
  await verifyAssertion(await signToken(rsa, claims({ aud: 'cms' }), { typ: 'JWT' }), rules, keys, PEER);
  const other = await refusalOf(verifyAssertion(await signToken(rsa, claims({ aud: ['other', 'cms'], azp: 'other' }), { typ: 'JWT' }), rules, keys, PEER));
  assert.equal(other.code, 'assertion-audience');
  const several = await refusalOf(verifyAssertion(await signToken(rsa, claims({ aud: ['other', 'cms'] }), { typ: 'JWT' }), rules, keys, PEER));
  assert.equal(several.code, 'assertion-audience');
});

test('aws-alb: an expired exp in the signed header is refused even when the payload exp is still valid', async () => {
  const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
  const ec = await createSigningKey('ES256');
  const rules = compileSignedRules({ preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ISSUER, keys: { keys: [ec.publicJwk] } as Record<string, unknown> });
  const keys = createKeyStore(rules.keySource, 60);
  const token = (headerExp: unknown) => albToken(ec, { albArn: ARN, issuer: ISSUER, person: { email: 'a@corp.example' }, header: { exp: headerExp } });
  await verifyAssertion(await token(now() + 120), rules, keys, PEER);
  for (const exp of [now() - 3600, 'tomorrow']) {
    const refusal = await refusalOf(verifyAssertion(await token(exp), rules, keys, PEER));
    assert.equal(refusal.code, 'assertion-expired', String(exp));
    assert.match(refusal.reason, /expired \(header exp/);
  }
});

test('signed assertion with a single trustedProxies entry: a peer outside it is refused before the token is looked at (T1)', async () => {
  const ec = await createSigningKey('ES256', 'k-ec');
  const rules = compileSettings(
    parseSettings({ assertion: { preset: 'pomerium', routeDomain: 'cms.example.com', keys: { keys: [ec.publicJwk] } }, trustedProxies: ['10.9.9.9/32'] }),
  ).identity;
  const token = await pomeriumToken(ec, { routeDomain: 'cms.example.com', person: { email: 'jane@corp.example' } });
  const identify = (peer: string) =>
    identifyRequest({ headers: headers(['X-Pomerium-Jwt-Assertion', token]), remoteAddress: peer }, rules, createAssertionVerifier());
  await assert.rejects(identify('127.0.0.1'), (error: unknown) => error instanceof Refusal && error.code === 'untrusted-peer');
  assert.equal((await identify('10.9.9.9')).state, 'asserted');
});
