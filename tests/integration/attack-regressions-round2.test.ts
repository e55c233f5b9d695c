/**
 * Regressions of the second attack pass (SECURITY.md T10, T26, T29), against a
 * running Strapi. Untrusted clients are other loopback source addresses (127.x.y.z).
 *
 * - R2-1: with aws-alb, oidc or custom and claims.identity "email", a validly
 *   signed token naming the Super Admin's address (in capitals) without
 *   email_verified is refused (assertion-email-unverified): it neither links the
 *   Super Admin by e-mail (linkByEmail) nor matches the Super Admin's existing
 *   "header" link. With email_verified true it still signs in. Cloudflare Access
 *   keeps accepting tokens without email_verified.
 * - R2-3: one valid token (an unknown user) sent from 300 source addresses within
 *   one window makes two refused rows (the first at once, the rest one fold
 *   counting the refusals and peers), not 300; another identity gets its own row.
 * Each refusal shows its code and that no user, link or session came of it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertRefused, assertSignedInAs, passwordLogin, refusalCode, snapshot } from '../harness/assertions';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { albToken, cloudflareToken, createSigningKey, oidcToken, type SigningKey } from '../harness/assertion-tokens';
import { activityRows, type ActivityRowRead } from '../harness/activity-rows';

const PASSWORD = 'Sup3rSecret!pass';
const ROOT = 'root@corp.example';
const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const ALB_ISSUER = 'https://idp.example';
const TEAM = 'acme';
const AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';

let app: TestStrapi;
const reader = activityRows(() => app);
const { lastId, details } = reader;
const rowsSince = reader.since;
type Row = ActivityRowRead;
let keys: KeyServer;
let rsa: SigningKey;
let ec: SigningKey;

const page = (headers: Record<string, string>, localAddress?: string): Promise<TestResponse> =>
  request(app.origin, '/admin', { headers: { ...BROWSER, ...headers }, localAddress });

/** The attack is refused with `code`, and no user, identity link or session came of it. */
async function refused(attack: () => Promise<TestResponse>, status: number, code: string): Promise<TestResponse> {
  const before = await snapshot(app);
  const res = await attack();
  await assertRefused(app, before, res, status, code);
  return res;
}

const BASE = { trustedProxies: ['127.0.0.1/32'], autoCreate: true, linkByEmail: true };
const SETUPS = {
  oidc: () => ({ preset: 'oidc', header: 'X-Id-Token', issuer: keys.origin, audience: 'strapi-admin', jwksUrl: keys.jwksUrl, claims: { identity: 'email' } }),
  custom: () => ({ preset: 'custom', header: 'X-Id-Token', issuer: keys.origin, audience: 'strapi-admin', jwksUrl: keys.jwksUrl, claims: { identity: 'email' } }),
  'aws-alb': () => ({ preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ALB_ISSUER, clientId: 'alb-client-id', jwksUrl: keys.pemBaseUrl, claims: { identity: 'email' } }),
} as const;

/** A validly signed token of `preset` naming `email`; `claims` overrides (email_verified: undefined drops it). */
async function signedVisit(preset: keyof typeof SETUPS, email: string, claims: Record<string, unknown>): Promise<TestResponse> {
  if (preset === 'aws-alb') return page({ 'x-amzn-oidc-data': await albToken(ec, { albArn: ARN, issuer: ALB_ISSUER, person: { email }, claims }) });
  return page({ 'X-Id-Token': await oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person: { email }, claims }) });
}

before(async () => {
  rsa = await createSigningKey('RS256', 'rsa-key-1');
  ec = await createSigningKey('ES256');
  keys = await startKeyServer(rsa, ec);
  app = await startStrapi({ config: { ...BASE } });
  await app.createAdmin({ email: ROOT, password: PASSWORD });
  assert.equal((await passwordLogin(app, ROOT, PASSWORD)).status, 200);
});
after(async () => {
  await app?.stop();
  await keys?.close();
});

describe('R2-1: claims.identity "email" behind a proxy that does not verify addresses', () => {
  for (const preset of ['oidc', 'custom', 'aws-alb'] as const) {
    test(`${preset}: the Super Admin's address without email_verified is refused, neither linked by e-mail nor matched`, async () => {
      app.configure({ ...BASE, assertion: SETUPS[preset]() });
      // No link yet: linkByEmail would link the Super Admin.
      await refused(() => signedVisit(preset, ROOT.toUpperCase(), { email_verified: undefined }), 403, 'assertion-email-unverified');
      await refused(() => signedVisit(preset, ROOT, { email_verified: undefined }), 403, 'assertion-email-unverified');
      await refused(() => signedVisit(preset, ROOT, { email_verified: 'TRUE' }), 403, 'assertion-email-unverified');
    });
  }

  test("an existing header link of the Super Admin is not matched by an unverified address either; email_verified true still signs in", async () => {
    // The Super Admin signs in through Cloudflare Access (the proxy verifies the address): a "header" link.
    app.configure({ ...BASE, trustedProxies: [], assertion: { preset: 'cloudflare-access', team: TEAM, audience: AUD, jwksUrl: keys.jwksUrl } });
    await assertSignedInAs(app, await page({ 'Cf-Access-Jwt-Assertion': await cloudflareToken(rsa, { team: TEAM, aud: AUD, person: { email: ROOT } }) }), ROOT);
    const links = (await app.strapi.db.connection('remote_auth_identities').select('source', 'subject')) as Array<{ source: string; subject: string }>;
    assert.ok(links.some((link) => link.source === 'header' && link.subject === ROOT), JSON.stringify(links));
    for (const preset of ['oidc', 'custom', 'aws-alb'] as const) {
      app.configure({ ...BASE, assertion: SETUPS[preset]() });
      await refused(() => signedVisit(preset, ROOT.toUpperCase(), { email_verified: undefined }), 403, 'assertion-email-unverified');
      await assertSignedInAs(app, await signedVisit(preset, ROOT, { email_verified: preset === 'aws-alb' ? 'true' : true }), ROOT);
    }
  });
});

describe('R2-3: one valid token from many source addresses', () => {
  test('300 peers, one window: one row at once and one fold (refusals and peers counted, latest peer kept); another identity gets its own row', async (t) => {
    app.configure({ trustedProxies: [], autoCreate: false, linkByEmail: false, assertion: { preset: 'cloudflare-access', team: TEAM, audience: AUD, jwksUrl: keys.jwksUrl } });
    // The whole flood is one 10-s window of the plugin's clock, however slow the machine is.
    const clock = app.strapi.plugin('remote-auth').service('clock') as { now(): number };
    const system = clock.now;
    const frozen = Date.now() + 60_000; // past any window opened before
    clock.now = () => frozen;
    t.after(() => {
      clock.now = system;
    });
    const start = await lastId();
    const before = await snapshot(app);
    const token = await cloudflareToken(rsa, { team: TEAM, aud: AUD, person: { email: 'mallory@corp.example' } });
    const peerOf = (i: number) => `127.${40 + (i % 50)}.${Math.floor(i / 50)}.${2 + (i % 200)}`;
    for (let i = 0; i < 300; i++) {
      const res = await page({ 'Cf-Access-Jwt-Assertion': token }, peerOf(i));
      assert.equal(res.status, 403);
      assert.equal(refusalCode(res), 'unknown-user');
    }
    const other = await cloudflareToken(rsa, { team: TEAM, aud: AUD, person: { email: 'trudy@corp.example' } });
    await assertRefused(app, before, await page({ 'Cf-Access-Jwt-Assertion': other }, '127.99.0.2'), 403, 'unknown-user');

    const rows = (await rowsSince(start)).filter((row) => row.kind === 'refused');
    const mallory = rows.filter((row) => /^ma\*+@corp\.example #[0-9a-f]{6}$/.test(row.identity ?? ''));
    assert.equal(mallory.length, 2, `one row and one fold, not one per peer: ${rows.length} refused rows`);
    assert.equal(mallory[0].peer, peerOf(0));
    assert.equal(details(mallory[1]).refusals, 299);
    assert.equal(details(mallory[1]).peers, 299);
    assert.equal(mallory[1].peer, peerOf(299), 'the fold keeps the latest peer');
    assert.equal(rows.filter((row) => row.identity?.startsWith('tr')).length, 1, 'another identity still gets its row');
    await assertRefused(app, before, await page({ 'Cf-Access-Jwt-Assertion': token }, '127.98.0.2'), 403, 'unknown-user');
  });
});
