import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAssertionSettings } from '../../server/src/signed-assertions/assertion-settings';
import { compileSignedRules } from '../../server/src/signed-assertions/signed-rules';
import { parseSettings } from '../../server/src/settings-schema/schema';

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';

const refuses = (value: unknown, message: RegExp) => assert.throws(() => checkAssertionSettings(value), message);

test('null means the plain header', () => {
  assert.equal(checkAssertionSettings(null), null);
  assert.equal(checkAssertionSettings(undefined), null);
});

test('each preset needs the values that name the deployment, in operator words', () => {
  refuses({ preset: 'okta' }, /\.preset must be one of "cloudflare-access"/);
  refuses({ preset: 'cloudflare-access', audience: 'x' }, /\.team is required .*team name/);
  refuses({ preset: 'cloudflare-access', team: 'acme' }, /\.audience is required .*AUD/);
  refuses({ preset: 'cloudflare-access', team: 'acme.evil.com/x', audience: 'x' }, /\.team must be your team name/);
  refuses({ preset: 'google-iap', projectNumber: '123' }, /exactly one of \.backendServiceId .* or \.appId/);
  refuses({ preset: 'google-iap', projectNumber: '123', backendServiceId: '1', appId: 'corp-cms' }, /exactly one/);
  refuses({ preset: 'google-iap', projectNumber: 'my-project', appId: 'corp-cms' }, /numeric project number/);
  refuses({ preset: 'google-iap', projectNumber: '123', appId: 'corp-cms', audience: 'x' }, /derived/);
  refuses({ preset: 'aws-alb', region: 'eu-west-1', issuer: 'https://idp.example' }, /\.albArn is required/);
  refuses({ preset: 'aws-alb', region: 'eu-west-1', albArn: 'arn:aws:iam::123:role/x', issuer: 'https://idp.example' }, /application load balancer ARN/);
  refuses({ preset: 'aws-alb', region: 'us-east-1', albArn: ARN, issuer: 'https://idp.example' }, /region "eu-west-1" but \.region is "us-east-1"/);
  refuses({ preset: 'aws-alb', region: 'eu-west-1', albArn: ARN }, /\.issuer is required/);
  refuses({ preset: 'pomerium' }, /\.routeDomain is required/);
  refuses({ preset: 'pomerium', routeDomain: 'https://cms.example' }, /domain name/);
  refuses({ preset: 'oidc', issuer: 'https://idp.example', audience: 'x' }, /\.header is required/);
  refuses({ preset: 'custom', header: 'X-Jwt', issuer: 'https://idp.example', audience: 'x' }, /needs a key source/);
});

test('algorithms: never none, HMAC only with a secret, a secret only with HMAC', () => {
  const base = { preset: 'custom', header: 'X-Jwt', issuer: 'https://idp.example', audience: 'x', jwksUrl: 'https://idp.example/jwks' };
  refuses({ ...base, algorithms: ['none'] }, /never include "none"/);
  refuses({ ...base, algorithms: ['NONE'] }, /never include "none"/);
  refuses({ ...base, algorithms: ['HS256'] }, /needs \.hmacSecret/);
  refuses({ ...base, algorithms: ['RS256'], hmacSecret: 'h'.repeat(40) }, /lists no HS256/);
  refuses({ ...base, algorithms: ['HS256'], hmacSecret: 'short' }, /at least 32 characters/);
  refuses({ ...base, algorithms: ['RS1'] }, /has "RS1"/);
  assert.deepEqual(checkAssertionSettings({ ...base, algorithms: ['HS256'], hmacSecret: 'h'.repeat(40) })?.algorithms, ['HS256']);
});

test('key URLs: https, or http only to loopback; no credentials', () => {
  const base = { preset: 'cloudflare-access', team: 'acme', audience: 'x' };
  refuses({ ...base, jwksUrl: 'http://keys.example/certs' }, /must use https/);
  refuses({ ...base, jwksUrl: 'http://10.0.0.1/certs' }, /must use https/);
  refuses({ ...base, jwksUrl: 'https://user:pw@keys.example/certs' }, /user name or password/);
  refuses({ ...base, jwksUrl: 'file:///etc/passwd' }, /must use https/);
  assert.ok(checkAssertionSettings({ ...base, jwksUrl: 'http://127.0.0.1:9999/certs' }));
  assert.ok(checkAssertionSettings({ ...base, jwksUrl: 'http://[::1]:9999/certs' }));
});

test('static keys: public keys only, checked with Node', () => {
  const base = { preset: 'custom', header: 'X-Jwt', issuer: 'https://idp.example', audience: 'x' };
  refuses({ ...base, keys: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }, /PRIVATE key/);
  refuses({ ...base, keys: '{"keys": []}' }, /lists no key/);
  refuses({ ...base, keys: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, /private or symmetric/);
  refuses({ ...base, keys: 'not a key' }, /must be a JWKS/);
  refuses({ ...base, keys: { keys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }] }, jwksUrl: 'https://idp.example/jwks' }, /./);
});

test('unknown keys are refused with a hint', () => {
  refuses({ preset: 'pomerium', routeDomain: 'cms.example.com', jwksURL: 'https://x' }, /unknown key "jwksURL" \(did you mean "jwksUrl"\?\)/);
  refuses({ preset: 'pomerium', routeDomain: 'cms.example.com', claims: { user: 'x' } }, /\.claims has unknown key "user"/);
});

test('presets fill in header, issuer, audience, keys and algorithms', () => {
  const cf = compileSignedRules(checkAssertionSettings({ preset: 'cloudflare-access', team: 'Acme', audience: 'tag' })!);
  assert.equal(cf.header, 'cf-access-jwt-assertion');
  assert.equal(cf.issuer, 'https://acme.cloudflareaccess.com');
  assert.deepEqual(cf.keySource, { kind: 'jwks', url: 'https://acme.cloudflareaccess.com/cdn-cgi/access/certs' });
  assert.deepEqual(cf.algorithms, ['RS256']);
  assert.deepEqual(cf.audience, ['tag']);
  const teamUrl = compileSignedRules(checkAssertionSettings({ preset: 'cloudflare-access', team: 'https://acme.cloudflareaccess.com/', audience: 'tag' })!);
  assert.equal(teamUrl.issuer, 'https://acme.cloudflareaccess.com');

  const iap = compileSignedRules(checkAssertionSettings({ preset: 'google-iap', projectNumber: '42', backendServiceId: '7' })!);
  assert.deepEqual(iap.audience, ['/projects/42/global/backendServices/7']);
  assert.equal(iap.issuer, 'https://cloud.google.com/iap');
  assert.deepEqual(iap.keySource, { kind: 'jwks', url: 'https://www.gstatic.com/iap/verify/public_key-jwk' });
  const iapApp = compileSignedRules(checkAssertionSettings({ preset: 'google-iap', projectNumber: '42', appId: 'corp-cms' })!);
  assert.deepEqual(iapApp.audience, ['/projects/42/apps/corp-cms']);

  const alb = compileSignedRules(checkAssertionSettings({ preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: 'https://idp.example' })!);
  assert.deepEqual(alb.keySource, { kind: 'pem-per-kid', baseUrl: 'https://public-keys.auth.elb.eu-west-1.amazonaws.com/' });
  assert.equal(alb.albSigner, ARN);
  assert.equal(alb.paddedSegments, true);
  assert.equal(alb.audience, null);
  assert.ok(alb.unsignedCompanions.includes('x-amzn-oidc-identity'));

  const pom = compileSignedRules(checkAssertionSettings({ preset: 'pomerium', routeDomain: 'cms.example.com' })!);
  assert.deepEqual(pom.issuer, ['cms.example.com', 'https://cms.example.com/']);
  assert.deepEqual(pom.audience, ['cms.example.com']);
  assert.deepEqual(pom.keySource, { kind: 'jwks', url: 'https://cms.example.com/.well-known/pomerium/jwks.json' });

  const oidc = compileSignedRules(checkAssertionSettings({ preset: 'oidc', header: 'X-Id-Token', issuer: 'https://idp.example/realms/x', audience: 'cms' })!);
  assert.deepEqual(oidc.keySource, { kind: 'discovery', issuer: 'https://idp.example/realms/x' });
});

test('trustedProxies may be empty only with a signed assertion', () => {
  assert.throws(() => parseSettings({ trustedProxies: [] }), /only allowed with a signed assertion/);
  assert.deepEqual(parseSettings({ trustedProxies: [], assertion: { preset: 'pomerium', routeDomain: 'cms.example.com' } }).trustedProxies, []);
});

test('requireGroups needs a groups claim when the assertion carries identity', () => {
  assert.throws(() => parseSettings({ requireGroups: ['x'], assertion: { preset: 'cloudflare-access', team: 'acme', audience: 'x' } }), /needs groupsHeader/);
  assert.ok(parseSettings({ requireGroups: ['x'], assertion: { preset: 'pomerium', routeDomain: 'cms.example.com' } }));
});
