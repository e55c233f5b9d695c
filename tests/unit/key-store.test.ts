/**
 * The key store against a real key server on 127.0.0.1, with a hand-driven
 * clock for the time rules (refresh, max key age, cool-downs).
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { errors } from 'jose';
import { createKeyStore, REFRESH_AFTER_MS, UNKNOWN_KID_COOLDOWN_MS, FAILED_FETCH_RETRY_MS } from '../../server/src/assertions/key-store';
import { KeysUnavailable } from '../../server/src/assertions/assertion-refusals';
import { fetchKeyDocument, MAX_KEY_DOCUMENT_BYTES } from '../../server/src/assertions/fetch-limited';
import { Refusal } from '../../server/src/pipeline/refusal';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { createSigningKey, type SigningKey } from '../harness/assertion-tokens';

let keys: KeyServer;
let rsa: SigningKey;
let ec: SigningKey;
let time = 1_000_000;
const clock = () => time;
const token = { protected: '', payload: '', signature: '' };
const fresh = () => `${keys.jwksUrl}?${randomUUID()}`;
const flush = () => new Promise((resolve) => setTimeout(resolve, 50));

before(async () => {
  rsa = await createSigningKey('RS256', 'k1');
  ec = await createSigningKey('ES256');
  keys = await startKeyServer(rsa, ec);
});
after(() => keys.close());
beforeEach(() => {
  keys.mode = 'ok';
  keys.publish(rsa, ec);
});

test('keys are fetched once and served from the cache', async () => {
  const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
  const before = keys.requestsTo('/jwks');
  for (let i = 0; i < 5; i++) assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token));
  assert.equal(keys.requestsTo('/jwks'), before + 1);
  assert.equal(store.describe().keys, 2);
});

test('while the key URL is down, cached keys keep working until maxKeyAgeSeconds, then keys-unavailable', async () => {
  const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
  await store.keyFor({ alg: 'RS256', kid: 'k1' }, token);
  keys.mode = 'down';
  time += REFRESH_AFTER_MS + 1;
  assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token), 'stale keys were not served');
  await flush();
  assert.match(store.describe().lastError ?? '', /could not be fetched/);
  time += 3600 * 1000;
  await assert.rejects(store.keyFor({ alg: 'RS256', kid: 'k1' }, token), (error: unknown) => error instanceof KeysUnavailable && /older than maxKeyAgeSeconds/.test(error.message));
  keys.mode = 'ok';
  time += FAILED_FETCH_RETRY_MS;
  assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token), 'the keys did not come back with the key URL');
});

test('an unknown kid: one refetch, then a cool-down for unknown kids', async () => {
  const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
  await store.keyFor({ alg: 'RS256', kid: 'k1' }, token);
  const before = keys.requestsTo('/jwks');
  await assert.rejects(store.keyFor({ alg: 'RS256', kid: 'nope-1' }, token), errors.JWKSNoMatchingKey);
  assert.equal(keys.requestsTo('/jwks'), before + 1);
  for (let i = 0; i < 10; i++) await assert.rejects(store.keyFor({ alg: 'RS256', kid: `nope-${randomUUID()}` }, token), errors.JWKSNoMatchingKey);
  assert.equal(keys.requestsTo('/jwks'), before + 1, 'the cool-down did not hold');
  time += UNKNOWN_KID_COOLDOWN_MS;
  const rotated = await createSigningKey('RS256', 'k2');
  keys.publish(rotated, rsa);
  assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k2' }, token));
  assert.equal(keys.requestsTo('/jwks'), before + 2);
});

test('an unknown kid while the key URL is down: keys-unavailable, not unknown-key', async () => {
  const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
  await store.keyFor({ alg: 'RS256', kid: 'k1' }, token);
  keys.mode = 'down';
  await assert.rejects(store.keyFor({ alg: 'RS256', kid: 'new' }, token), KeysUnavailable);
  assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token));
});

test('invalid JSON, a non-JWKS, HTTP errors and huge bodies are KeysUnavailable, and a huge body is not read to the end', async () => {
  for (const mode of ['invalid-json', 'error', 'huge', 'down'] as const) {
    keys.mode = mode;
    const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
    const sent = keys.hugeBytesSent();
    await assert.rejects(store.keyFor({ alg: 'RS256', kid: 'k1' }, token), KeysUnavailable, mode);
    if (mode === 'huge') assert.ok(keys.hugeBytesSent() - sent < 32 * 1024 * 1024);
  }
  keys.mode = 'huge';
  await assert.rejects(fetchKeyDocument(keys.jwksUrl), new RegExp(`more than ${MAX_KEY_DOCUMENT_BYTES} bytes`));
});

test('a slow key URL gives up after the time-out', async () => {
  keys.mode = 'slow';
  await assert.rejects(fetchKeyDocument(keys.jwksUrl, 300), /did not answer within 0.3 s/);
});

test('OIDC discovery: the jwks_uri of the issuer, whose discovery document must name the same issuer', async () => {
  keys.issuer = keys.origin;
  const store = createKeyStore({ kind: 'discovery', issuer: keys.origin }, 3600, clock);
  assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token));
  keys.issuer = 'https://evil.example';
  const other = createKeyStore({ kind: 'discovery', issuer: `${keys.origin}` }, 3600, clock);
  await assert.rejects(other.keyFor({ alg: 'RS256', kid: 'k1' }, token), /names the issuer "https:\/\/evil.example"/);
  keys.issuer = keys.origin;
});

test('ALB: one PEM per kid, cached; crafted kids never reach the URL; a missing kid starts the cool-down', async () => {
  const store = createKeyStore({ kind: 'pem-per-kid', baseUrl: keys.pemBaseUrl }, 3600, clock);
  assert.ok(await store.keyFor({ alg: 'ES256', kid: ec.kid }, token));
  assert.ok(await store.keyFor({ alg: 'ES256', kid: ec.kid }, token));
  assert.equal(keys.requestsTo(`/pem/${ec.kid}`), 1);
  const total = keys.requests();
  for (const kid of ['../jwks', 'a/b', 'https://evil.example/', '', 'a b', '%2e']) {
    await assert.rejects(store.keyFor({ alg: 'ES256', kid }, token), (error: unknown) => error instanceof Refusal && error.code === 'assertion-malformed');
  }
  assert.equal(keys.requests(), total);
  await assert.rejects(store.keyFor({ alg: 'ES256', kid: randomUUID() }, token), errors.JWKSNoMatchingKey);
  await assert.rejects(store.keyFor({ alg: 'ES256', kid: randomUUID() }, token), errors.JWKSNoMatchingKey);
  assert.equal(keys.requests(), total + 1, 'the cool-down did not hold');
});

test('static keys: a JWKS or PEM public keys', async () => {
  const jwks = createKeyStore({ kind: 'static', keys: { keys: [rsa.publicJwk] } }, 3600, clock);
  assert.ok(await jwks.keyFor({ alg: 'RS256', kid: 'k1' }, token));
  const pem = createKeyStore({ kind: 'static', keys: `${rsa.publicPem}\n${ec.publicPem}` }, 3600, clock);
  assert.ok(await pem.keyFor({ alg: 'ES256' }, token));
});
