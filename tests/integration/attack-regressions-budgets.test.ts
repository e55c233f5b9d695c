/**
 * Regressions of the budget findings of the attack pass (T26, key fetches),
 * against a real Strapi. Untrusted clients are other loopback source
 * addresses (127.0.N.M); the key servers count the fetches.
 *
 * - F1: with only an assertion trusted, garbage tokens from 55 networks fill
 *   the refusal cap; a validly signed token's refusal still gets its own row.
 * - F2 (aws-alb, trustedProxies: []): made-up kids from other networks do not
 *   keep the provider's new key from being fetched after a rotation.
 * - F6: "Check this connection" caches its key check and never spends the
 *   fetch budget of sign-ins.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { passwordLogin, refusalCode } from '../harness/assertions';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { albToken, cloudflareToken, createSigningKey, type SigningKey } from '../harness/assertion-tokens';
import { activityRows, type ActivityRowRead } from '../harness/activity-rows';
import { REFUSAL_ROWS_PER_WINDOW, SUPPRESSED_REASON } from '../../server/src/strapi/activity/activity-log';
import { UNKNOWN_KID_COOLDOWN_MS, UNKNOWN_KID_FETCHES } from '../../server/src/signed-assertions/unknown-kids';

const TEAM = 'acme';
const AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';
const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const ALB_ISSUER = 'https://idp.example';
const PASSWORD = 'Sup3rSecret!pass';
const ROOT = 'root@corp.example';

let app: TestStrapi;
const reader = activityRows(() => app);
const { lastId, details } = reader;
const rowsSince = reader.since;
type Row = ActivityRowRead;
let cfKeys: KeyServer;
let cfProvider: SigningKey;



const page = (headers: Record<string, string>, localAddress?: string): Promise<TestResponse> =>
  request(app.origin, '/admin', { headers: { ...BROWSER, ...headers }, localAddress });

/** A well-formed ALB token naming `kid`, with a signature nobody made. */
const madeUpToken = (kid: string): string => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg: 'ES256', kid, typ: 'JWT', signer: ARN })}.${b64({ iss: ALB_ISSUER })}.AAAA`;
};
const alb = (keys: KeyServer) => ({ preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ALB_ISSUER, jwksUrl: keys.pemBaseUrl });
/** Fetches of the shared budget that may have refilled since `since` (1 per COOLDOWN/FETCHES ms). */
const refilledSince = (since: number): number => Math.floor(((Date.now() - since) * UNKNOWN_KID_FETCHES) / UNKNOWN_KID_COOLDOWN_MS);

before(async () => {
  cfProvider = await createSigningKey('RS256', 'cf-key-1');
  cfKeys = await startKeyServer(cfProvider);
  app = await startStrapi({ config: { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0 } });
  await app.createAdmin({ email: ROOT, password: PASSWORD });
  await app.createAdmin({ email: 'blocked@corp.example', roles: ['strapi-editor'], blocked: true });
});
after(async () => {
  await app?.stop();
  await cfKeys?.close();
});

describe('F1: only an assertion trusted, the refusal cap filled by garbage', () => {
  test("a validly signed token's refusal gets a row of its own; its exact repeat folds; a neighbour's garbage does not overwrite it", async () => {
    app.configure({ assertion: { preset: 'cloudflare-access', team: TEAM, audience: AUD, jwksUrl: cfKeys.jwksUrl }, trustedProxies: [] });
    const start = await lastId();
    for (let net = 10; net < 10 + REFUSAL_ROWS_PER_WINDOW + 5; net++) {
      assert.equal((await page({ 'Cf-Access-Jwt-Assertion': `garbage-${net}` }, `127.0.${net}.1`)).status, 400);
    }
    const signed = await cloudflareToken(cfProvider, { team: TEAM, aud: AUD, person: { email: 'blocked@corp.example' } });
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await page({ 'Cf-Access-Jwt-Assertion': signed });
      assert.equal(res.status, 403);
      assert.equal(refusalCode(res), 'blocked-user');
    }
    assert.equal((await page({ 'Cf-Access-Jwt-Assertion': 'garbage-neighbour' }, '127.0.0.9')).status, 400);

    const rows = (await rowsSince(start)).filter((row) => row.kind === 'refused');
    const own = rows.filter((row) => row.reason === 'blocked-user' && details(row).network === undefined);
    assert.equal(own.length, 1, `one row of its own, the repeat folded: ${JSON.stringify(rows.filter((row) => row.peer?.startsWith('127.0.0.')))}`);
    assert.equal(own[0].peer, '127.0.0.1');
    assert.match(own[0].identity ?? '', /^bl\*+@corp\.example #[0-9a-f]{6}$/);
    const counted = rows.filter((row) => row.reason === SUPPRESSED_REASON).reduce((sum, row) => sum + (details(row).suppressed as number), 0);
    assert.ok(counted >= 1, 'the garbage past the cap is counted');
  });
});

describe('F2: aws-alb with trustedProxies: [], made-up kids during a key rotation', () => {
  let keys: KeyServer;
  after(() => keys?.close());

  test("made-up kids from other networks spend the shared ceiling, not the proven ALB node's reserve: the new key is fetched once", async () => {
    const oldKey = await createSigningKey('ES256');
    const newKey = await createSigningKey('ES256');
    keys = await startKeyServer(oldKey);
    app.configure({ assertion: alb(keys), trustedProxies: [] });
    const person = { email: `alb-${randomUUID().slice(0, 8)}@corp.example` };
    const claims = { sub: `sub-${randomUUID()}` }; // one person: the ALB identity is "<iss> <sub>"
    const before = await page({ 'x-amzn-oidc-data': await albToken(oldKey, { albArn: ARN, issuer: ALB_ISSUER, person, claims }) });
    assert.ok(before.cookies.jwtToken, `signed in before the rotation: ${before.status} ${refusalCode(before)}`);

    keys.publish(oldKey, newKey);
    const floodStart = Date.now();
    const madeUp: string[] = [];
    // 12 networks × 3 made-up kids, and the ALB node's /24 neighbour (not proven: another address).
    const senders = [...Array.from({ length: 12 }, (_, i) => `127.0.${100 + i}.7`), '127.0.0.2'];
    for (const sender of senders) {
      for (let i = 0; i < 3; i++) {
        const kid = randomUUID();
        madeUp.push(kid);
        const res = await page({ 'x-amzn-oidc-data': madeUpToken(kid) }, sender);
        assert.ok(['assertion-unknown-key', 'keys-unavailable'].includes(refusalCode(res) ?? ''), `${res.status} ${refusalCode(res)}`);
      }
    }
    const fresh = await page({ 'x-amzn-oidc-data': madeUpToken(randomUUID()) }, '127.0.120.7');
    const madeUpFetches = madeUp.reduce((sum, kid) => sum + keys.requestsTo(`/pem/${kid}`), 0);
    assert.ok(madeUpFetches <= UNKNOWN_KID_FETCHES + refilledSince(floodStart), `the shared ceiling protects the key server: ${madeUpFetches} fetches`);
    if (refilledSince(floodStart) === 0) assert.equal(refusalCode(fresh), 'keys-unavailable', 'an unproven network past the ceiling is not fetched for');

    const after = await page({ 'x-amzn-oidc-data': await albToken(newKey, { albArn: ARN, issuer: ALB_ISSUER, person, claims }) });
    assert.ok(after.cookies.jwtToken, `signed in with the new key: ${after.status} ${refusalCode(after)}`);
    assert.equal(keys.requestsTo(`/pem/${newKey.kid}`), 1, 'the new key was fetched once');
  });
});

describe('F6: "Check this connection" and the key fetches', () => {
  let keys: KeyServer;
  let root = '';
  after(() => keys?.close());

  const diagnose = (token: string): Promise<TestResponse> =>
    request(app.origin, '/remote-auth/diagnostics', { headers: { Authorization: `Bearer ${root}`, Accept: 'application/json', 'x-amzn-oidc-data': token } });

  test('30 checks of one kid fetch it once; 30 checks of made-up kids leave sign-ins their fetch budget', async (t) => {
    // The plugin's clock, which the key check's cache is judged by, stands still: the 30 checks are one cache period.
    const clock = app.strapi.plugin('remote-auth').service('clock') as { now(): number };
    const system = clock.now;
    const frozen = Date.now();
    clock.now = () => frozen;
    t.after(() => {
      clock.now = system;
    });
    const oldKey = await createSigningKey('ES256');
    const newKey = await createSigningKey('ES256');
    keys = await startKeyServer(oldKey);
    app.configure({ assertion: alb(keys), trustedProxies: [] });
    root = (await passwordLogin(app, ROOT, PASSWORD)).json().data.token;

    const repeated = randomUUID();
    for (let i = 0; i < 30; i++) assert.equal((await diagnose(madeUpToken(repeated))).status, 200);
    assert.equal(keys.requestsTo(`/pem/${repeated}`), 1, 'one kid checked 30 times is fetched once');

    for (let i = 0; i < 30; i++) assert.equal((await diagnose(madeUpToken(randomUUID()))).status, 200);
    keys.publish(oldKey, newKey);
    // Another network, never proven: only the shared budget, which the checks must not have spent.
    const person = { email: `probe-${randomUUID().slice(0, 8)}@corp.example` };
    const res = await page({ 'x-amzn-oidc-data': await albToken(newKey, { albArn: ARN, issuer: ALB_ISSUER, person }) }, '127.0.50.1');
    assert.ok(res.cookies.jwtToken, `signed in with a key the checks did not spend the budget of: ${res.status} ${refusalCode(res)}`);
    assert.equal(keys.requestsTo(`/pem/${newKey.kid}`), 1);
  });
});
