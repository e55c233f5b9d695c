/**
 * R2-2 (second attack pass) against a running Strapi: aws-alb with
 * trustedProxies: []. An insider with ONE valid token sends it from 12
 * networks (each address becomes "proven"), then, after the provider rotates
 * its key, floods made-up kids from 4 untrusted networks and from every
 * address they proved. Before the fix the proven addresses drained the one
 * reserve all reserved requesters shared and the genuine proxy (127.0.0.1,
 * proven by its users) got keys-unavailable; now one subject proves its 2
 * most recent addresses and each reserved network has its own allowance.
 * The pure logic, with an injected clock: tests/unit/attack-regressions-reserve.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { refusalCode } from '../harness/assertions';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { albToken, createSigningKey, type SigningKey } from '../harness/assertion-tokens';
import { RESERVED_KID_FETCHES_PER_NETWORK, UNKNOWN_KID_COOLDOWN_MS, UNKNOWN_KID_FETCHES } from '../../server/src/signed-assertions/unknown-kids';
import { PROVEN_PEERS_PER_SUBJECT } from '../../server/src/signed-assertions/proven-peers';

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const ALB_ISSUER = 'https://idp.example';
const GENUINE = '127.0.0.1';
const INSIDER = Array.from({ length: 12 }, (_, i) => `127.${61 + i}.0.2`);
const UNTRUSTED = [101, 102, 103, 104];

let app: TestStrapi;
let keys: KeyServer;

const page = (headers: Record<string, string>, localAddress?: string): Promise<TestResponse> =>
  request(app.origin, '/admin', { headers: { ...BROWSER, ...headers }, localAddress });
/** A well-formed ALB token naming `kid`, with a signature nobody made. */
const madeUpToken = (kid: string): string => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg: 'ES256', kid, typ: 'JWT', signer: ARN })}.${b64({ iss: ALB_ISSUER })}.AAAA`;
};

before(async () => {
  app = await startStrapi({ config: { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0 } });
});
after(async () => {
  await app?.stop();
  await keys?.close();
});

test('R2-2: an insider with one token proving 12 networks and flooding made-up kids leaves the genuine proxy the rotated keys; the key server stays bounded', async () => {
  const keys0 = await createSigningKey('ES256');
  const rotations = [await createSigningKey('ES256'), await createSigningKey('ES256')];
  keys = await startKeyServer(keys0);
  app.configure({ assertion: { preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ALB_ISSUER, jwksUrl: keys.pemBaseUrl }, trustedProxies: [], autoCreate: true });
  const person = { email: `real-${randomUUID().slice(0, 8)}@corp.example` };
  const claims = { sub: `real-${randomUUID()}` };
  const genuine = (key: SigningKey) => albToken(key, { albArn: ARN, issuer: ALB_ISSUER, person, claims }).then((token) => page({ 'x-amzn-oidc-data': token }, GENUINE));

  const first = await genuine(keys0);
  assert.ok(first.cookies.jwtToken, `the genuine proxy signs in (and is proven): ${first.status} ${refusalCode(first)}`);
  const mine = await albToken(keys0, { albArn: ARN, issuer: ALB_ISSUER, person: { email: `mallory-${randomUUID().slice(0, 8)}@corp.example` }, claims: { sub: `mallory-${randomUUID()}` } });
  for (const peer of INSIDER) {
    const res = await page({ 'x-amzn-oidc-data': mine }, peer);
    assert.ok(res.cookies.jwtToken, `the insider's one token verifies from ${peer}: ${res.status} ${refusalCode(res)}`);
  }

  const madeUp: string[] = [];
  const flood = async (round: number) => {
    // 3 made-up kids (a network's allowance) from each untrusted network and from each address the insider proved.
    for (const peer of [...UNTRUSTED.map((net) => `127.${net}.${round}.2`), ...INSIDER]) {
      for (let i = 0; i < 3; i++) {
        const kid = randomUUID();
        madeUp.push(kid);
        const res = await page({ 'x-amzn-oidc-data': madeUpToken(kid) }, peer);
        assert.ok(['assertion-unknown-key', 'keys-unavailable'].includes(refusalCode(res) ?? ''), `${peer}: ${res.status} ${refusalCode(res)}`);
      }
    }
  };

  const floodStart = Date.now();
  const published = [keys0];
  for (const [round, key] of rotations.entries()) {
    published.push(key);
    keys.publish(...published); // rotation: the ALB signs with a kid Strapi has not fetched
    await flood(round);
    const res = await genuine(key);
    assert.ok(res.cookies.jwtToken, `rotation ${round + 1}: the genuine proxy signs in with the new key right after the flood: ${res.status} ${refusalCode(res)}`);
    assert.equal(keys.requestsTo(`/pem/${key.kid}`), 1, `rotation ${round + 1}: the new key was fetched once`);
  }

  // The key server: the shared ceiling plus the allowances of the insider's proven networks (one subject proves
  // PROVEN_PEERS_PER_SUBJECT addresses), plus what refilled meanwhile — not one allowance per address the token was sent from.
  const perPeriod = UNKNOWN_KID_FETCHES + PROVEN_PEERS_PER_SUBJECT * RESERVED_KID_FETCHES_PER_NETWORK;
  const refilled = Math.ceil(((Date.now() - floodStart) * perPeriod) / UNKNOWN_KID_COOLDOWN_MS);
  const fetches = madeUp.reduce((sum, kid) => sum + keys.requestsTo(`/pem/${kid}`), 0);
  assert.ok(fetches <= perPeriod + refilled, `made-up kids cost the key server ${fetches} fetches (at most ${perPeriod} + ${refilled} refilled)`);
});
