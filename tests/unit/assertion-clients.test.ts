/**
 * Pure parts of issue 20 items 5 and 6: the aws-alb clientId setting, the
 * per-kid key URL's slash, client binding / azp / ID-token checks in
 * verifyAssertion (with static keys, no network), e-mail linking for aws-alb,
 * and which published keys count as usable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JWK } from 'jose';
import { checkAssertionSettings, type AssertionSettings } from '../../server/src/signed-assertions/assertion-settings';
import { compileSignedRules, perKidBase } from '../../server/src/signed-assertions/signed-rules';
import { createKeyStore, type KeyRequester } from '../../server/src/signed-assertions/key-store';
import { verifyAssertion } from '../../server/src/signed-assertions/verify-assertion';
import { claimFromAssertion } from '../../server/src/signed-assertions/assertion-claim';
import { usableKeyCount } from '../../server/src/signed-assertions/key-probe';
import { Refusal } from '../../server/src/pipeline/refusal';
import { albToken, createSigningKey, oidcToken, type Claims, type Header } from '../harness/assertion-tokens';

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const ISSUER = 'https://idp.corp.example';
const ALB: AssertionSettings = { preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ISSUER };
const CLAIM_RULES = { userField: 'email', emailDomain: null, realms: [], linkByEmailHeader: true } as const;

async function refusalOf(work: Promise<unknown>): Promise<Refusal> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof Refusal, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

/** The peer a key lookup is for (static keys: never fetched). */
const PEER: KeyRequester = { network: '192.0.2.0/24', reserved: false };

test('clientId: accepted with aws-alb, refused with other presets and when it is not a client id', () => {
  assert.equal(checkAssertionSettings({ ...ALB, clientId: ' abc123 ' })?.clientId, 'abc123');
  assert.throws(() => checkAssertionSettings({ preset: 'oidc', header: 'X-Id', issuer: ISSUER, audience: 'cms', clientId: 'cms' }), /clientId is for the "aws-alb" preset/);
  assert.throws(() => checkAssertionSettings({ ...ALB, clientId: 'two words' }), /clientId must be the listener rule's OIDC client id/);
  assert.throws(() => checkAssertionSettings({ ...ALB, clientId: 42 }), /clientId must be a string/);
  assert.throws(() => checkAssertionSettings({ ...ALB, clientid: 'x' }), /did you mean "clientId"/);
  assert.equal(compileSignedRules(ALB).albClient, null);
  assert.equal(compileSignedRules({ ...ALB, clientId: 'abc' }).albClient, 'abc');
  assert.notEqual(compileSignedRules({ ...ALB, clientId: 'abc' }).fingerprint, compileSignedRules({ ...ALB, clientId: 'abd' }).fingerprint);
});

test('aws-alb key URL: the missing "/" before the kid is added; a query-style base is kept', () => {
  assert.equal(perKidBase('https://keys.internal/alb'), 'https://keys.internal/alb/');
  assert.equal(perKidBase('https://keys.internal/alb/'), 'https://keys.internal/alb/');
  assert.equal(perKidBase('https://keys.internal/key?kid='), 'https://keys.internal/key?kid=');
  assert.deepEqual(compileSignedRules({ ...ALB, jwksUrl: 'https://keys.internal/alb' }).keySource, { kind: 'pem-per-kid', baseUrl: 'https://keys.internal/alb/' });
  assert.deepEqual(compileSignedRules(ALB).keySource, { kind: 'pem-per-kid', baseUrl: 'https://public-keys.auth.elb.eu-west-1.amazonaws.com/' });
});

test('aws-alb: the header client must equal clientId when set (assertion-audience)', async () => {
  const ec = await createSigningKey('ES256');
  const rules = compileSignedRules({ ...ALB, clientId: 'cms', keys: { keys: [ec.publicJwk] } as Record<string, unknown> });
  const keys = createKeyStore(rules.keySource, 60);
  const token = (client: string) => albToken(ec, { albArn: ARN, issuer: ISSUER, client, person: { email: 'a@corp.example' } });
  assert.equal((await verifyAssertion(await token('cms'), rules, keys, PEER)).header.client, 'cms');
  const refusal = await refusalOf(verifyAssertion(await token('intranet'), rules, keys, PEER));
  assert.equal(refusal.code, 'assertion-audience');
  assert.match(refusal.reason, /"intranet" \(header client\), not clientId "cms"/);
  const unbound = compileSignedRules({ ...ALB, keys: { keys: [ec.publicJwk] } as Record<string, unknown> });
  await verifyAssertion(await token('intranet'), unbound, createKeyStore(unbound.keySource, 60), PEER);
});

test('oidc: several audiences without azp are refused; with azp one of ours they pass; one audience needs none', async () => {
  const rsa = await createSigningKey('RS256', 'k1');
  const rules = compileSignedRules({ preset: 'oidc', header: 'X-Id', issuer: ISSUER, audience: 'cms', keys: { keys: [rsa.publicJwk] } as Record<string, unknown> });
  const keys = createKeyStore(rules.keySource, 60);
  const token = (claims: Claims) => oidcToken(rsa, { issuer: ISSUER, clientId: 'cms', person: { email: 'a@corp.example' }, claims });
  const refusal = await refusalOf(verifyAssertion(await token({ aud: ['cms', 'reports'], azp: undefined }), rules, keys, PEER));
  assert.equal(refusal.code, 'assertion-audience');
  assert.match(refusal.reason, /2 audiences and no authorized party \(azp\)/);
  await verifyAssertion(await token({ aud: ['cms', 'reports'], azp: 'cms' }), rules, keys, PEER);
  await verifyAssertion(await token({ aud: ['cms'], azp: undefined }), rules, keys, PEER);
  await verifyAssertion(await token({ aud: 'cms', azp: undefined }), rules, keys, PEER);
  assert.equal((await refusalOf(verifyAssertion(await token({ aud: ['cms', 'reports'], azp: 'reports' }), rules, keys, PEER))).code, 'assertion-audience');
});

test('only ID tokens: payload typ other than ID, header typ other than JWT are assertion-malformed', async () => {
  const rsa = await createSigningKey('RS256', 'k1');
  const rules = compileSignedRules({ preset: 'oidc', header: 'X-Id', issuer: ISSUER, audience: 'cms', keys: { keys: [rsa.publicJwk] } as Record<string, unknown> });
  const keys = createKeyStore(rules.keySource, 60);
  const token = (claims: Claims, header: Header = {}) => oidcToken(rsa, { issuer: ISSUER, clientId: 'cms', person: { email: 'a@corp.example' }, claims, header });
  for (const typ of ['Offline', 'Logout', 'Refresh', 'Bearer', 'Serialized-ID', 42]) {
    assert.equal((await refusalOf(verifyAssertion(await token({ typ }), rules, keys, PEER))).code, 'assertion-malformed', String(typ));
  }
  for (const typ of ['logout+jwt', 'at+jwt', 'secevent+jwt', 'JOSE']) {
    assert.equal((await refusalOf(verifyAssertion(await token({}, { typ }), rules, keys, PEER))).code, 'assertion-malformed', typ);
  }
  await verifyAssertion(await token({ typ: 'ID' }), rules, keys, PEER);
  await verifyAssertion(await token({}, { typ: 'JWT' }), rules, keys, PEER);
  await verifyAssertion(await token({}, { typ: 'jwt' }), rules, keys, PEER);
  await verifyAssertion(await token({}, { typ: undefined }), rules, keys, PEER);
});

test('aws-alb identity is "<iss> <sub>"; its e-mail links only when verified and linkByEmailHeader is on', () => {
  const rules = compileSignedRules(ALB);
  const payload = { iss: ISSUER, sub: 'u-1', email: 'Root@Corp.example', exp: 1 };
  const claim = claimFromAssertion(payload, rules, CLAIM_RULES);
  assert.equal(claim.subject, `${ISSUER} u-1`);
  assert.equal(claim.source, 'assertion');
  assert.equal(claim.email, 'root@corp.example');
  assert.equal(claim.emailLinks, false, 'no email_verified: the address links nothing');
  assert.equal(claimFromAssertion({ ...payload, email_verified: 'true' }, rules, CLAIM_RULES).emailLinks, true);
  assert.equal(claimFromAssertion({ ...payload, email_verified: true }, rules, CLAIM_RULES).emailLinks, true);
  assert.equal(claimFromAssertion({ ...payload, email_verified: true }, rules, { ...CLAIM_RULES, linkByEmailHeader: false }).emailLinks, false);
  // oidc likewise (T29): an address the token does not say was verified links nothing.
  const oidc = compileSignedRules({ preset: 'oidc', header: 'X-Id', issuer: ISSUER, audience: 'cms' });
  assert.equal(claimFromAssertion(payload, oidc, CLAIM_RULES).emailLinks, false);
  assert.equal(claimFromAssertion({ ...payload, email_verified: true }, oidc, CLAIM_RULES).emailLinks, true);
  // The former behaviour, chosen explicitly: only for an address the token says is verified (R2-1).
  const byEmail = compileSignedRules({ ...ALB, claims: { identity: 'email' } });
  assert.equal(claimFromAssertion({ ...payload, email_verified: 'true' }, byEmail, CLAIM_RULES).subject, 'root@corp.example');
  assert.throws(() => claimFromAssertion(payload, byEmail, CLAIM_RULES), (error: unknown) => error instanceof Refusal && error.code === 'assertion-email-unverified');
});

test('usable keys: those of an allowed algorithm, by alg or by key type and curve, for signatures', () => {
  const rsa: JWK = { kty: 'RSA', n: 'x', e: 'AQAB' };
  const p256: JWK = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
  const p384: JWK = { kty: 'EC', crv: 'P-384', x: 'x', y: 'y' };
  const ed: JWK = { kty: 'OKP', crv: 'Ed25519', x: 'x' };
  assert.equal(usableKeyCount([rsa, p256, p384, ed], ['ES256']), 1);
  assert.equal(usableKeyCount([rsa, p256, p384, ed], ['RS256', 'EdDSA']), 2);
  assert.equal(usableKeyCount([{ ...rsa, alg: 'RS512' }], ['RS256']), 0);
  assert.equal(usableKeyCount([{ ...rsa, use: 'enc' }], ['RS256']), 0);
  assert.equal(usableKeyCount([], ['RS256']), 0);
});
