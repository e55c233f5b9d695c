/**
 * Regressions of the third attack pass, against a running Strapi. Untrusted
 * clients are other loopback source addresses (127.0.0.2).
 *
 * - R3-3b: aws-alb behind a listed proxy (127.0.0.1). Made-up kids sent from the
 *   proxy's own address spent that network's reserved key-fetch allowance, and
 *   the ALB's rotated key was then answered keys-unavailable while the flood
 *   lasted. Now tokens that do not name albArn as their signer are refused
 *   (assertion-issuer) before any key is fetched, and a spent reserved allowance
 *   falls back on the shared ceiling.
 * - R3-4: a group " admins\u00A0" (a distinct group at the identity provider)
 *   was trimmed to "admins" and got that group's roles, from the groups header
 *   and from a signed groups claim alike. Now only ASCII space and tab are
 *   trimmed, and a value with any other space (or an invisible filler) is refused.
 * - Settings: claims { identity: "email", email: "upn" } (an unverified address
 *   as the identity's claim) is refused by the settings API.
 * Each refusal shows its code and that no user, link or session came of it.
 * The pure logic: tests/unit/attack-regressions-round3.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { FIXTURE_OWNER, startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertRefused, assertSignedInAs, passwordLogin, refusalCode, snapshot } from '../harness/assertions';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { albToken, createSigningKey, pomeriumToken } from '../harness/assertion-tokens';
import { RESERVED_KID_FETCHES_PER_NETWORK, UNKNOWN_KID_COOLDOWN_MS, UNKNOWN_KID_FETCHES_PER_NETWORK } from '../../server/src/signed-assertions/unknown-kids';

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const OTHER_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/other-alb/0123456789abcdef';
const ALB_ISSUER = 'https://idp.example';
const PROXY = '127.0.0.1';
const UNTRUSTED = '127.0.0.2';

let app: TestStrapi;
const keyServers: KeyServer[] = [];

const page = (headers: Record<string, string>, localAddress = PROXY): Promise<TestResponse> =>
  request(app.origin, '/admin', { headers: { ...BROWSER, ...headers }, localAddress });

/** A well-formed ALB token naming `kid`, with a signature nobody made; `header` sets (or, undefined, drops) header fields. */
function madeUpToken(kid: string, header: Record<string, unknown>): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg: 'ES256', kid, typ: 'JWT', ...header })}.${b64({ iss: ALB_ISSUER, sub: 'mallory' })}.AAAA`;
}

/** aws-alb on a key server of its own: each test starts with a fresh key store and fresh allowances. */
async function albOnFreshKeys() {
  const keys = await startKeyServer();
  keyServers.push(keys);
  app.configure({ assertion: { preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ALB_ISSUER, jwksUrl: keys.pemBaseUrl }, trustedProxies: [`${PROXY}/32`], autoCreate: true });
  return keys;
}

/** The ALB rotates to a key Strapi has not fetched, and a person signs in through the proxy with it. */
async function signInAfterRotation(keys: KeyServer) {
  const rotated = await createSigningKey('ES256');
  keys.publish(rotated);
  const email = `editor-${randomUUID().slice(0, 8)}@corp.example`;
  const res = await page({ 'x-amzn-oidc-data': await albToken(rotated, { albArn: ARN, issuer: ALB_ISSUER, person: { email } }) });
  return { res, email, kid: rotated.kid };
}

before(async () => {
  app = await startStrapi({ config: { trustedProxies: [`${PROXY}/32`], autoCreate: true } });
});
after(async () => {
  await app?.stop();
  for (const keys of keyServers) await keys.close();
});

describe('R3-3b: made-up kids through the listed proxy keep no rotated ALB key from being fetched', () => {
  test('tokens naming another signer (or none) are refused before any key fetch; the rotated key is fetched at once', async () => {
    const keys = await albOnFreshKeys();
    const before = await snapshot(app);
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await page({ 'x-amzn-oidc-data': madeUpToken(randomUUID(), i % 2 === 0 ? { signer: OTHER_ARN } : {}) });
      codes.push(refusalCode(res) ?? `status ${res.status}`);
    }
    const neighbour = await page({ 'x-amzn-oidc-data': madeUpToken(randomUUID(), { signer: ARN }) }, UNTRUSTED);
    await assertRefused(app, before, neighbour, 403, 'untrusted-peer');

    const { res, email, kid } = await signInAfterRotation(keys);
    await assertSignedInAs(app, res, email);
    assert.equal(keys.requestsTo(`/pem/${kid}`), 1, 'the rotated key was fetched once');
    assert.deepEqual(codes, Array(20).fill('assertion-issuer'));
    assert.equal(keys.requests(), 1, 'the key server saw none of the made-up kids, only the rotated key');
  });

  test("with the proxy's own allowance spent by made-up kids naming albArn, the rotated key is fetched from the shared ceiling; the fallback stays bounded", async () => {
    const keys = await albOnFreshKeys();
    const before = await snapshot(app);
    const start = Date.now();
    const madeUp = async (count: number) => {
      const codes: string[] = [];
      for (let i = 0; i < count; i++) {
        const kid = randomUUID();
        const res = await page({ 'x-amzn-oidc-data': madeUpToken(kid, { signer: ARN }) });
        codes.push(refusalCode(res) ?? `status ${res.status}`);
      }
      return codes;
    };
    // The proxy's own allowance: each made-up kid is fetched and not found.
    assert.deepEqual(await madeUp(RESERVED_KID_FETCHES_PER_NETWORK), Array(RESERVED_KID_FETCHES_PER_NETWORK).fill('assertion-unknown-key'));
    const spent = keys.requests();
    assert.equal(spent, RESERVED_KID_FETCHES_PER_NETWORK);
    await assertRefused(app, before, await page({ 'x-amzn-oidc-data': madeUpToken(randomUUID(), { signer: ARN }) }, UNTRUSTED), 403, 'untrusted-peer');

    const { res, email, kid } = await signInAfterRotation(keys);
    await assertSignedInAs(app, res, email);
    assert.equal(keys.requestsTo(`/pem/${kid}`), 1, 'the rotated key was fetched once');

    // A continued flood from the proxy draws on its network's share of the shared ceiling only.
    const afterRotation = await snapshot(app);
    const codes = await madeUp(10);
    assert.ok(codes.includes('keys-unavailable'), codes.join(', '));
    await assertRefused(app, afterRotation, await page({ 'x-amzn-oidc-data': madeUpToken(randomUUID(), { signer: ARN }) }), 503, 'keys-unavailable');
    const refilled = Math.ceil(((Date.now() - start) * (RESERVED_KID_FETCHES_PER_NETWORK + UNKNOWN_KID_FETCHES_PER_NETWORK)) / UNKNOWN_KID_COOLDOWN_MS);
    const fetches = keys.requests() - 1; // all but the rotated key
    assert.ok(
      fetches <= RESERVED_KID_FETCHES_PER_NETWORK + UNKNOWN_KID_FETCHES_PER_NETWORK + refilled,
      `made-up kids from the proxy cost the key server ${fetches} fetches (at most ${RESERVED_KID_FETCHES_PER_NETWORK} + ${UNKNOWN_KID_FETCHES_PER_NETWORK} + ${refilled} refilled)`,
    );
  });
});

describe('R3-4: a look-alike of a mapped group gets none of its roles', () => {
  const GROUPS = { groupsHeader: 'Remote-Groups', groupRoles: { admins: ['strapi-editor'] }, defaultRoles: ['strapi-author'] };
  /** Header values travel as bytes: a UTF-8 value is sent as the latin1 string of its bytes. */
  const utf8 = (value: string) => Buffer.from(value, 'utf8').toString('latin1');
  /** The account's role codes, sorted; null when there is no account. */
  const rolesOf = async (email: string) => (await app.adminUsers()).find((user) => user.email === email)?.roles.map((role) => role.code).sort() ?? null;
  const headerSignIn = (email: string, groups: string) => page({ 'Remote-User': email, 'Remote-Groups': groups });

  test('groups header: a first sign-in with " admins" + U+00A0 (or U+3000, U+2800, a joiner) is refused and creates no account; "admins" itself still maps', async () => {
    app.configure(GROUPS);
    for (const [i, blank] of ['\u00a0', '\u3000', '\u2800', '\u200d', '\u200c'].entries()) {
      const email = `eve${i}-${randomUUID().slice(0, 8)}@corp.example`;
      const before = await snapshot(app);
      const res = await headerSignIn(email, utf8(`staff, admins${blank}`));
      assert.equal(await rolesOf(email), null, 'no account, so none of the roles of "admins"');
      await assertRefused(app, before, res, 400, 'forbidden-character');
    }
    const real = `ada-${randomUUID().slice(0, 8)}@corp.example`;
    await assertSignedInAs(app, await headerSignIn(real, 'staff, admins'), real);
    assert.deepEqual(await rolesOf(real), ['strapi-author', 'strapi-editor']);
  });

  test("groups header: an existing account's roles stay as they are when it signs in with the look-alike group", async () => {
    app.configure(GROUPS);
    const email = `eve-${randomUUID().slice(0, 8)}@corp.example`;
    await assertSignedInAs(app, await headerSignIn(email, 'staff'), email);
    assert.deepEqual(await rolesOf(email), ['strapi-author']);
    const before = await snapshot(app);
    const res = await headerSignIn(email, utf8(' admins\u00a0'));
    assert.deepEqual(await rolesOf(email), ['strapi-author'], 'no role of "admins"');
    await assertRefused(app, before, res, 400, 'forbidden-character');
  });

  test('signed groups claim (pomerium): the look-alike group is refused (assertion-malformed) and creates no account', async () => {
    const key = await createSigningKey('ES256');
    app.configure({ ...GROUPS, groupsHeader: null, assertion: { preset: 'pomerium', routeDomain: 'cms.example.com', keys: { keys: [key.publicJwk] } } });
    const email = `mallory-${randomUUID().slice(0, 8)}@corp.example`;
    const token = await pomeriumToken(key, { routeDomain: 'cms.example.com', person: { email, groups: ['staff', ' admins\u00a0'] } });
    const before = await snapshot(app);
    const res = await page({ 'X-Pomerium-Jwt-Assertion': token });
    assert.equal(await rolesOf(email), null, 'no account, so none of the roles of "admins"');
    await assertRefused(app, before, res, 400, 'assertion-malformed');
  });
});

describe('settings: the identity from the claim "email" with the address from another claim', () => {
  test('the settings API refuses claims { identity: "email", email: "upn" } (400, operator-worded) and stores nothing', async () => {
    app.configure({ assertion: undefined });
    const token = (await passwordLogin(app, FIXTURE_OWNER.email, FIXTURE_OWNER.password)).json().data.token as string;
    const settingsApi = (method: string, body?: unknown) =>
      request(app.origin, '/remote-auth/settings', { method, body, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
    const stored = (await settingsApi('GET')).json().data.settings;
    const assertion = { preset: 'oidc', header: 'X-Id-Token', issuer: 'https://idp.example', audience: 'cms', claims: { identity: 'email', email: 'upn' } };
    const res = await settingsApi('PUT', { settings: { ...stored, assertion } });
    assert.equal(res.status, 400, res.body);
    assert.match(res.json().error.message, /\.claims\.identity "email" needs \.claims\.email "email"/);
    assert.deepEqual((await settingsApi('GET')).json().data.settings, stored, 'nothing stored');
  });
});
