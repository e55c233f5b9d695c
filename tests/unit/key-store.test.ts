/**
 * The key store against a real key server on 127.0.0.1, with a hand-driven
 * clock for the time rules (refresh, max key age, cool-downs).
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { errors } from 'jose';
import { createKeyStore, type KeyRequester, MAX_PEM_KEYS, REFRESH_AFTER_MS, UNKNOWN_KID_COOLDOWN_MS, UNKNOWN_KID_FETCHES, FAILED_FETCH_RETRY_MS } from '../../server/src/signed-assertions/key-store';
import { KeysUnavailable } from '../../server/src/signed-assertions/assertion-refusals';
import { fetchKeyDocument, MAX_KEY_DOCUMENT_BYTES } from '../../server/src/signed-assertions/fetch-limited';
import { isRefusalWith } from '../harness/refusals';
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
let networks = 0;
/** Each lookup from a network of its own: these tests are about the shared ceiling, the per-network allowance has tests of its own (unknown-kids.test.ts). */
const spread = (): KeyRequester => ({ network: `198.${18 + Math.floor(networks / 256) % 2}.${networks++ % 256}.0/24`, reserved: false });

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
  for (let i = 0; i < 5; i++) assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread()));
  assert.equal(keys.requestsTo('/jwks'), before + 1);
  assert.equal(store.describe().keys, 2);
});

test('while the key URL is down, cached keys keep working until maxKeyAgeSeconds, then keys-unavailable', async () => {
  const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
  await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread());
  keys.mode = 'down';
  time += REFRESH_AFTER_MS + 1;
  assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread()), 'stale keys were not served');
  await flush();
  assert.match(store.describe().lastError ?? '', /could not be fetched/);
  time += 3600 * 1000;
  await assert.rejects(store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread()), (error: unknown) => error instanceof KeysUnavailable && /older than maxKeyAgeSeconds/.test(error.message));
  keys.mode = 'ok';
  time += FAILED_FETCH_RETRY_MS;
  assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread()), 'the keys did not come back with the key URL');
});

const isKeysUnavailable = (error: unknown) => error instanceof KeysUnavailable && /budget/.test(error.message);

test('an unknown kid: one refetch, then no refetch for that kid during the cool-down', async () => {
  const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
  await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread());
  const before = keys.requestsTo('/jwks');
  await assert.rejects(store.keyFor({ alg: 'RS256', kid: 'nope-1' }, token, spread()), errors.JWKSNoMatchingKey);
  assert.equal(keys.requestsTo('/jwks'), before + 1);
  for (let i = 0; i < 10; i++) await assert.rejects(store.keyFor({ alg: 'RS256', kid: 'nope-1' }, token, spread()), errors.JWKSNoMatchingKey);
  assert.equal(keys.requestsTo('/jwks'), before + 1, 'the per-kid cool-down did not hold');
  time += UNKNOWN_KID_COOLDOWN_MS;
  await assert.rejects(store.keyFor({ alg: 'RS256', kid: 'nope-1' }, token, spread()), errors.JWKSNoMatchingKey);
  assert.equal(keys.requestsTo('/jwks'), before + 2, 'the kid was not tried again after its cool-down');
});

test('JWKS: a random kid does not lock out a key the provider publishes right after (per-kid cool-down)', async () => {
  const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
  await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread());
  await assert.rejects(store.keyFor({ alg: 'RS256', kid: `random-${randomUUID()}` }, token, spread()), errors.JWKSNoMatchingKey);
  const rotated = await createSigningKey('RS256', `k2-${randomUUID()}`);
  keys.publish(rotated, rsa);
  assert.ok(await store.keyFor({ alg: 'RS256', kid: rotated.kid }, token, spread()), 'the newly published key was refused');
});

test('JWKS: fetches for new kids share a budget; spent, a new kid is keys-unavailable (not unknown-key) until it refills', async () => {
  const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
  await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread());
  const before = keys.requestsTo('/jwks');
  for (let i = 0; i < UNKNOWN_KID_FETCHES; i++) await assert.rejects(store.keyFor({ alg: 'RS256', kid: randomUUID() }, token, spread()), errors.JWKSNoMatchingKey);
  assert.equal(keys.requestsTo('/jwks'), before + UNKNOWN_KID_FETCHES);
  for (let i = 0; i < 20; i++) await assert.rejects(store.keyFor({ alg: 'RS256', kid: randomUUID() }, token, spread()), isKeysUnavailable);
  assert.equal(keys.requestsTo('/jwks'), before + UNKNOWN_KID_FETCHES, 'the budget did not hold');
  assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread()), 'a known kid must not need the budget');
  const rotated = await createSigningKey('RS256', `k3-${randomUUID()}`);
  keys.publish(rotated, rsa);
  time += UNKNOWN_KID_COOLDOWN_MS / UNKNOWN_KID_FETCHES;
  assert.ok(await store.keyFor({ alg: 'RS256', kid: rotated.kid }, token, spread()), 'the refilled budget did not fetch the new kid');
});

test('JWKS: concurrent requests for new kids share one refetch', async () => {
  const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
  await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread());
  const before = keys.requestsTo('/jwks');
  const results = await Promise.allSettled(Array.from({ length: 50 }, () => store.keyFor({ alg: 'RS256', kid: randomUUID() }, token, spread())));
  assert.ok(results.every((result) => result.status === 'rejected'));
  assert.equal(keys.requestsTo('/jwks'), before + 1);
});

test('an unknown kid while the key URL is down: keys-unavailable, not unknown-key', async () => {
  const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
  await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread());
  keys.mode = 'down';
  await assert.rejects(store.keyFor({ alg: 'RS256', kid: 'new' }, token, spread()), KeysUnavailable);
  assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread()));
});

test('invalid JSON, a non-JWKS, HTTP errors and huge bodies are KeysUnavailable, and a huge body is not read to the end', async () => {
  for (const mode of ['invalid-json', 'error', 'huge', 'down'] as const) {
    keys.mode = mode;
    const store = createKeyStore({ kind: 'jwks', url: fresh() }, 3600, clock);
    const sent = keys.hugeBytesSent();
    await assert.rejects(store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread()), KeysUnavailable, mode);
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
  assert.ok(await store.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread()));
  keys.issuer = 'https://evil.example';
  const other = createKeyStore({ kind: 'discovery', issuer: `${keys.origin}` }, 3600, clock);
  await assert.rejects(other.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread()), /names the issuer "https:\/\/evil.example"/);
  keys.issuer = keys.origin;
});

test('ALB: one PEM per kid, cached; crafted kids never reach the URL; a missing kid is not fetched again during its cool-down', async () => {
  const store = createKeyStore({ kind: 'pem-per-kid', baseUrl: keys.pemBaseUrl }, 3600, clock);
  assert.ok(await store.keyFor({ alg: 'ES256', kid: ec.kid }, token, spread()));
  assert.ok(await store.keyFor({ alg: 'ES256', kid: ec.kid }, token, spread()));
  assert.equal(keys.requestsTo(`/pem/${ec.kid}`), 1);
  const total = keys.requests();
  for (const kid of ['../jwks', 'a/b', 'https://evil.example/', '', 'a b', '%2e']) {
    await assert.rejects(store.keyFor({ alg: 'ES256', kid }, token, spread()), isRefusalWith('assertion-malformed'));
  }
  assert.equal(keys.requests(), total);
  const missing = randomUUID();
  await assert.rejects(store.keyFor({ alg: 'ES256', kid: missing }, token, spread()), errors.JWKSNoMatchingKey);
  await assert.rejects(store.keyFor({ alg: 'ES256', kid: missing }, token, spread()), errors.JWKSNoMatchingKey);
  assert.equal(keys.requests(), total + 1, 'the cool-down did not hold');
});

test('ALB: a random kid does not block a never-seen legitimate kid; a spent budget is keys-unavailable, and refills', async () => {
  const store = createKeyStore({ kind: 'pem-per-kid', baseUrl: keys.pemBaseUrl }, 3600, clock);
  await assert.rejects(store.keyFor({ alg: 'ES256', kid: randomUUID() }, token, spread()), errors.JWKSNoMatchingKey);
  assert.ok(await store.keyFor({ alg: 'ES256', kid: ec.kid }, token, spread()), 'the attacker\'s kid locked out the real one');
  for (let i = 0; i < UNKNOWN_KID_FETCHES - 2; i++) await assert.rejects(store.keyFor({ alg: 'ES256', kid: randomUUID() }, token, spread()), errors.JWKSNoMatchingKey);
  const total = keys.requests();
  const other = await createSigningKey('ES256');
  keys.publish(rsa, ec, other);
  await assert.rejects(store.keyFor({ alg: 'ES256', kid: other.kid }, token, spread()), isKeysUnavailable);
  await assert.rejects(store.keyFor({ alg: 'ES256', kid: randomUUID() }, token, spread()), isKeysUnavailable);
  assert.equal(keys.requests(), total, 'a spent budget still fetched');
  assert.ok(await store.keyFor({ alg: 'ES256', kid: ec.kid }, token, spread()), 'a cached kid must not need the budget');
  time += UNKNOWN_KID_COOLDOWN_MS / UNKNOWN_KID_FETCHES;
  assert.ok(await store.keyFor({ alg: 'ES256', kid: other.kid }, token, spread()), 'the refilled budget did not fetch the new kid');
});

test('ALB: a cached key past maxKeyAgeSeconds while the key URL fails: one fetch, then keys-unavailable without asking again until the retry pause is over', async () => {
  const store = createKeyStore({ kind: 'pem-per-kid', baseUrl: keys.pemBaseUrl }, 3600, clock);
  assert.ok(await store.keyFor({ alg: 'ES256', kid: ec.kid }, token, spread()));
  keys.mode = 'error';
  time += 3600 * 1000 + 1;
  const path = `/pem/${ec.kid}`;
  const before = keys.requestsTo(path);
  await assert.rejects(store.keyFor({ alg: 'ES256', kid: ec.kid }, token, spread()), (error: unknown) => error instanceof KeysUnavailable && /older than maxKeyAgeSeconds/.test(error.message));
  assert.equal(keys.requestsTo(path), before + 1);
  await assert.rejects(store.keyFor({ alg: 'ES256', kid: ec.kid }, token, spread()), (error: unknown) => error instanceof KeysUnavailable && /failed moments ago/.test(error.message));
  assert.equal(keys.requestsTo(path), before + 1, 'the failing key URL was asked again within FAILED_FETCH_RETRY_MS');
  keys.mode = 'ok';
  time += FAILED_FETCH_RETRY_MS;
  assert.ok(await store.keyFor({ alg: 'ES256', kid: ec.kid }, token, spread()));
  assert.equal(keys.requestsTo(path), before + 2);
});

test('ALB: at most MAX_PEM_KEYS kids are kept, the least recently fetched goes first (a refreshed key counts as new)', async () => {
  const albKeys = await Promise.all(Array.from({ length: MAX_PEM_KEYS + 2 }, () => createSigningKey('ES256')));
  keys.publish(...albKeys);
  const store = createKeyStore({ kind: 'pem-per-kid', baseUrl: keys.pemBaseUrl }, 10 * 24 * 3600, clock);
  const get = (key: SigningKey) => store.keyFor({ alg: 'ES256', kid: key.kid }, token, spread());
  const newKid = async (key: SigningKey) => {
    time += UNKNOWN_KID_COOLDOWN_MS / UNKNOWN_KID_FETCHES; // a new kid draws on the budget for new kids: one refill each
    assert.ok(await get(key));
  };
  for (const key of albKeys.slice(0, MAX_PEM_KEYS)) await newKid(key);
  assert.equal(store.describe().keys, MAX_PEM_KEYS);
  // The second key, due for its refresh, is fetched again in the background: now the most recent.
  time += REFRESH_AFTER_MS;
  assert.ok(await get(albKeys[1]));
  await flush();
  assert.equal(store.describe().keys, MAX_PEM_KEYS, 'a refresh changed how many keys are kept');
  await newKid(albKeys[MAX_PEM_KEYS]);
  await newKid(albKeys[MAX_PEM_KEYS + 1]);
  assert.equal(store.describe().keys, MAX_PEM_KEYS, 'the cache grew past MAX_PEM_KEYS');
  // With the key URL failing only cached keys answer: the refreshed second key does; the first and third, the oldest, were evicted.
  keys.mode = 'error';
  time += UNKNOWN_KID_COOLDOWN_MS;
  assert.ok(await get(albKeys[1]), 'the refreshed key was evicted');
  for (const evicted of [albKeys[0], albKeys[2]]) await assert.rejects(get(evicted), KeysUnavailable);
  assert.ok(await get(albKeys[3]));
});

test('static keys: a JWKS or PEM public keys', async () => {
  const jwks = createKeyStore({ kind: 'static', keys: { keys: [rsa.publicJwk] } }, 3600, clock);
  assert.ok(await jwks.keyFor({ alg: 'RS256', kid: 'k1' }, token, spread()));
  const pem = createKeyStore({ kind: 'static', keys: `${rsa.publicPem}\n${ec.publicPem}` }, 3600, clock);
  assert.ok(await pem.keyFor({ alg: 'ES256' }, token, spread()));
});
