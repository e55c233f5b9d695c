/**
 * The one identity decision with a signed assertion configured: real jose
 * verification with static keys (no network), real header hygiene.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { identifyRequest } from '../../server/src/identity/request-identity';
import { createAssertionVerifier } from '../../server/src/signed-assertions/verifier';
import { compileSettings } from '../../server/src/settings-schema/compile';
import { parseSettings } from '../../server/src/settings-schema/schema';
import { isRefusalWith } from '../harness/refusals';
import { MAX_ASSERTION_BYTES } from '../../server/src/signed-assertions/verify-assertion';
import { albToken, createSigningKey, iapToken, pomeriumToken, signToken, type SigningKey } from '../harness/assertion-tokens';
import { headers } from './fake-headers';

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
let ec: SigningKey;
let other: SigningKey;

before(async () => {
  ec = await createSigningKey('ES256', 'k-ec');
  other = await createSigningKey('ES256', 'k-ec');
});

const compiled = (assertion: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  compileSettings(parseSettings({ assertion: { ...assertion, keys: { keys: [ec.publicJwk] } }, ...extra })).identity;
const pomerium = () => compiled({ preset: 'pomerium', routeDomain: 'cms.example.com' });
const verifier = createAssertionVerifier();
const identify = (rules: ReturnType<typeof compiled>, lines: Array<[string, string]>, peer = '127.0.0.1') =>
  identifyRequest({ headers: headers(...lines), remoteAddress: peer }, rules, verifier);
test('no identity header of any kind: anonymous', async () => {
  assert.deepEqual(await identify(pomerium(), [['Accept', 'text/html']]), { state: 'anonymous' });
});

test('a verified Pomerium assertion gives the e-mail identity, names and groups', async () => {
  const token = await pomeriumToken(ec, { routeDomain: 'cms.example.com', person: { email: 'Jane@Corp.Example', firstName: 'Jane', lastName: 'Doe', groups: ['a', 'b', 'a'] } });
  const result = await identify(pomerium(), [['X-Pomerium-Jwt-Assertion', token]]);
  assert.equal(result.state, 'asserted');
  if (result.state !== 'asserted') return;
  assert.equal(result.claim.subject, 'jane@corp.example');
  assert.equal(result.claim.source, undefined, 'an e-mail identity keeps the "header" link');
  assert.deepEqual(result.claim.attributes, { email: 'jane@corp.example', firstName: 'Jane', lastName: 'Doe', groups: ['a', 'b'] });
});

test('the plain header and the unsigned companions are never read, and alone they are refused', async () => {
  await assert.rejects(identify(pomerium(), [['Remote-User', 'root@corp.example']]), isRefusalWith('assertion-missing'));
  await assert.rejects(identify(pomerium(), [['X-Pomerium-Claim-Email', 'root@corp.example']]), isRefusalWith('assertion-missing'));
  const token = await pomeriumToken(ec, { routeDomain: 'cms.example.com', person: { email: 'jane@corp.example' } });
  const result = await identify(pomerium(), [['X-Pomerium-Jwt-Assertion', token], ['Remote-User', 'root@corp.example'], ['X-Pomerium-Claim-Email', 'root@corp.example']]);
  assert.equal(result.state === 'asserted' && result.claim.email, 'jane@corp.example');
});

test('trustedProxies (when not empty) and sharedSecret still apply', async () => {
  const token = await pomeriumToken(ec, { routeDomain: 'cms.example.com', person: { email: 'jane@corp.example' } });
  await assert.rejects(identify(pomerium(), [['X-Pomerium-Jwt-Assertion', token]], '192.0.2.7'), isRefusalWith('untrusted-peer'));
  const anyPeer = compiled({ preset: 'pomerium', routeDomain: 'cms.example.com' }, { trustedProxies: [], sharedSecret: { header: 'X-Proxy-Secret', value: 's'.repeat(20) } });
  await assert.rejects(identify(anyPeer, [['X-Pomerium-Jwt-Assertion', token]], '192.0.2.7'), isRefusalWith('secret-missing'));
  const ok = await identify(anyPeer, [['X-Pomerium-Jwt-Assertion', token], ['X-Proxy-Secret', 's'.repeat(20)]], '192.0.2.7');
  assert.equal(ok.state, 'asserted');
});

test('duplicates and twins of the assertion header are refused like the identity header', async () => {
  const token = await pomeriumToken(ec, { routeDomain: 'cms.example.com', person: { email: 'jane@corp.example' } });
  await assert.rejects(identify(pomerium(), [['X-Pomerium-Jwt-Assertion', token], ['X-Pomerium-Jwt-Assertion', token]]), isRefusalWith('duplicate-header'));
  await assert.rejects(identify(pomerium(), [['X-Pomerium-Jwt-Assertion', token], ['X_Pomerium_Jwt_Assertion', token]]), isRefusalWith('header-twin'));
});

test('over 16 KB, garbage and padding outside ALB are malformed', async () => {
  const big = await pomeriumToken(ec, { routeDomain: 'cms.example.com', person: { email: 'jane@corp.example' }, claims: { pad: 'x'.repeat(MAX_ASSERTION_BYTES) } });
  await assert.rejects(identify(pomerium(), [['X-Pomerium-Jwt-Assertion', big]]), isRefusalWith('assertion-malformed'));
  await assert.rejects(identify(pomerium(), [['X-Pomerium-Jwt-Assertion', '{"alg":"none"}']]), isRefusalWith('assertion-malformed'));
  const alb = await albToken(ec, { albArn: ARN, issuer: 'https://idp.example', person: { email: 'jane@corp.example' } });
  await assert.rejects(identify(pomerium(), [['X-Pomerium-Jwt-Assertion', alb]]), isRefusalWith('assertion-malformed'));
});

test('ALB: the padded token verifies as ALB signs it; the signer must match', async () => {
  const rules = compiled({ preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: 'https://idp.example' });
  const token = await albToken(ec, { albArn: ARN, issuer: 'https://idp.example', person: { email: 'jane@corp.example', firstName: 'Jane' } });
  assert.ok(token.split('.').every((part) => part.endsWith('=')), 'the test token is not padded');
  const result = await identify(rules, [['x-amzn-oidc-data', token]]);
  assert.equal(result.state === 'asserted' && result.claim.attributes.firstName, 'Jane');
  const stripped = token.split('.').map((part) => part.replace(/=+$/, '')).join('.');
  await assert.rejects(identify(rules, [['x-amzn-oidc-data', stripped]]), isRefusalWith('assertion-signature'));
  const foreign = await albToken(ec, { albArn: ARN.replace('cms-alb', 'x-alb'), issuer: 'https://idp.example', person: { email: 'jane@corp.example' } });
  await assert.rejects(identify(rules, [['x-amzn-oidc-data', foreign]]), isRefusalWith('assertion-issuer'));
  const expired = await albToken(ec, { albArn: ARN, issuer: 'https://idp.example', person: { email: 'jane@corp.example' }, exp: Math.floor(Date.now() / 1000) - 3600 });
  await assert.rejects(identify(rules, [['x-amzn-oidc-data', expired]]), isRefusalWith('assertion-expired'));
});

test('IAP: both audience forms; the other one is refused', async () => {
  const lb = compiled({ preset: 'google-iap', projectNumber: '42', backendServiceId: '7' });
  const app = compiled({ preset: 'google-iap', projectNumber: '42', appId: 'corp-cms' });
  const lbToken = await iapToken(ec, { projectNumber: '42', backendServiceId: '7', person: { email: 'jane@corp.example' } });
  const appToken = await iapToken(ec, { projectNumber: '42', appId: 'corp-cms', person: { email: 'jane@corp.example' } });
  assert.equal((await identify(lb, [['x-goog-iap-jwt-assertion', lbToken]])).state, 'asserted');
  assert.equal((await identify(app, [['x-goog-iap-jwt-assertion', appToken]])).state, 'asserted');
  await assert.rejects(identify(lb, [['x-goog-iap-jwt-assertion', appToken]]), isRefusalWith('assertion-audience'));
});

test('a cached verification never outlives a settings change, and another key is never accepted from the cache', async () => {
  const token = await pomeriumToken(ec, { routeDomain: 'cms.example.com', person: { email: 'jane@corp.example' } });
  assert.equal((await identify(pomerium(), [['X-Pomerium-Jwt-Assertion', token]])).state, 'asserted');
  const otherRoute = compiled({ preset: 'pomerium', routeDomain: 'other.example.com' });
  await assert.rejects(identify(otherRoute, [['X-Pomerium-Jwt-Assertion', token]]), isRefusalWith('assertion-issuer'));
  const forged = await signToken(other, { iss: 'cms.example.com', aud: 'cms.example.com', email: 'root@corp.example', exp: Math.floor(Date.now() / 1000) + 60 });
  await assert.rejects(identify(pomerium(), [['X-Pomerium-Jwt-Assertion', forged]]), isRefusalWith('assertion-signature'));
});

test('an opaque identity: "<iss> <sub>" under the source "assertion", and the e-mail links only with linkByEmailHeader', async () => {
  const rules = compiled({ preset: 'pomerium', routeDomain: 'cms.example.com', claims: { identity: 'sub' } });
  const token = await pomeriumToken(ec, { routeDomain: 'cms.example.com', person: { email: 'jane@corp.example' }, claims: { sub: 'User-ABC' } });
  const result = await identify(rules, [['X-Pomerium-Jwt-Assertion', token]]);
  assert.ok(result.state === 'asserted');
  assert.equal(result.claim.subject, 'cms.example.com User-ABC');
  assert.equal(result.claim.source, 'assertion');
  assert.equal(result.claim.emailLinks, false);
});

test('a non-ASCII e-mail claim is refused as a look-alike (T9)', async () => {
  const token = await pomeriumToken(ec, { routeDomain: 'cms.example.com', person: { email: 'jane@corp.exampl\u0435' } });
  await assert.rejects(identify(pomerium(), [['X-Pomerium-Jwt-Assertion', token]]), isRefusalWith('non-ascii-identity'));
});

test('an OAuth access token of the same issuer and audience is not an identity assertion', async () => {
  const token = await pomeriumToken(ec, { routeDomain: 'cms.example.com', person: { email: 'jane@corp.example' }, header: { typ: 'at+jwt' } });
  await assert.rejects(identify(pomerium(), [['X-Pomerium-Jwt-Assertion', token]]), isRefusalWith('assertion-malformed'));
});
