/**
 * Signed identity assertions (issue 12), against a real Strapi and a real key
 * server on 127.0.0.1: every preset signs someone in (hand-off and strict
 * mode), groups and names come from the claims, and every forged, stale or
 * misdirected token is refused with its own code and leaves nothing behind.
 * Verification is jose's, for real; nothing is mocked.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertRefused, assertSignedInAs, passwordLogin, snapshot } from '../harness/assertions';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { UNKNOWN_KID_COOLDOWN_MS, UNKNOWN_KID_FETCHES } from '../../server/src/signed-assertions/key-store';
import {
  albToken,
  cloudflareToken,
  createSigningKey,
  hmacWithPublicKey,
  iapToken,
  oidcToken,
  pomeriumToken,
  signToken,
  unsignedToken,
  type SigningKey,
} from '../harness/assertion-tokens';

const PASSWORD = 'Sup3rSecret!pass';
const TEAM = 'acme';
const AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';
const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const ALB_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';
const ROUTE = 'cms.corp.example';

let app: TestStrapi;
let keys: KeyServer;
let rsa: SigningKey;
let ec: SigningKey;
let stranger: SigningKey;
let root = '';

const now = () => Math.floor(Date.now() / 1000);
const jane = { email: 'jane@corp.example', firstName: 'Jane', lastName: 'Doe' };

const presets = () => ({
  cloudflare: { preset: 'cloudflare-access', team: TEAM, audience: AUD, jwksUrl: keys.jwksUrl },
  iap: { preset: 'google-iap', projectNumber: '1234567890', backendServiceId: '9876543210', jwksUrl: keys.jwksUrl },
  iapApp: { preset: 'google-iap', projectNumber: '1234567890', appId: 'corp-cms', jwksUrl: keys.jwksUrl },
  // aws-alb's identity is "<iss> <sub>" (T29, see assertion-clients.test.ts); these tests sign jane in
  // through her e-mail identity, as an operator who keeps it does.
  alb: { preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ALB_ISSUER, jwksUrl: keys.pemBaseUrl, claims: { identity: 'email' } },
  pomerium: { preset: 'pomerium', routeDomain: ROUTE, jwksUrl: keys.jwksUrl },
  oidc: { preset: 'oidc', header: 'X-Id-Token', issuer: keys.origin, audience: 'strapi-admin' },
});
type PresetName = keyof ReturnType<typeof presets>;

const HEADERS: Record<PresetName, string> = {
  cloudflare: 'Cf-Access-Jwt-Assertion',
  iap: 'x-goog-iap-jwt-assertion',
  iapApp: 'x-goog-iap-jwt-assertion',
  alb: 'x-amzn-oidc-data',
  pomerium: 'X-Pomerium-Jwt-Assertion',
  oidc: 'X-Id-Token',
};

function tokenFor(name: PresetName, person = jane): Promise<string> {
  switch (name) {
    case 'cloudflare':
      return cloudflareToken(rsa, { team: TEAM, aud: AUD, person });
    case 'iap':
      return iapToken(ec, { projectNumber: '1234567890', backendServiceId: '9876543210', person });
    case 'iapApp':
      return iapToken(ec, { projectNumber: '1234567890', appId: 'corp-cms', person });
    case 'alb':
      return albToken(ec, { albArn: ARN, issuer: ALB_ISSUER, person });
    case 'pomerium':
      return pomeriumToken(ec, { routeDomain: ROUTE, person });
    case 'oidc':
      return oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person, claims: { sub: `sub-of-${person.email}` } });
  }
}

const use = (name: PresetName, extra: Record<string, unknown> = {}) => app.configure({ assertion: presets()[name], ...extra });
const handOff = (headers: Record<string, string> | string[]) =>
  request(app.origin, '/admin', { headers: Array.isArray(headers) ? ['Accept', BROWSER.Accept, ...headers] : { ...BROWSER, ...headers } });
const api = (path: string, headers: Record<string, string>) => request(app.origin, path, { headers: { Accept: 'application/json', ...headers } });
const cf = (token: string) => ({ 'Cf-Access-Jwt-Assertion': token });
const cfToken = (claims: Record<string, unknown> = {}, key: SigningKey = rsa, header: Record<string, unknown> = {}) =>
  cloudflareToken(key, { team: TEAM, aud: AUD, person: jane, claims, header });

before(async () => {
  rsa = await createSigningKey('RS256', 'cf-key-1');
  ec = await createSigningKey('ES256');
  stranger = await createSigningKey('RS256', 'cf-key-1');
  keys = await startKeyServer(rsa, ec);
  app = await startStrapi({ config: { assertion: presets().cloudflare } });
  await app.createAdmin({ email: 'root@corp.example', password: PASSWORD });
  await app.createAdmin({ email: 'jane@corp.example', roles: ['strapi-editor'] });
  root = (await passwordLogin(app, 'root@corp.example', PASSWORD)).json().data.token;
});
after(async () => {
  await app?.stop();
  await keys?.close();
});
beforeEach(() => {
  keys.mode = 'ok';
  keys.publish(rsa, ec);
  use('cloudflare');
});

describe('every preset signs the person in', () => {
  for (const name of ['cloudflare', 'iap', 'iapApp', 'alb', 'pomerium', 'oidc'] as const) {
    // oidc's identity is `sub`, not the address: jane's account is already linked to her e-mail
    // identity (account-linked-elsewhere), so this preset signs in a person of its own.
    const linking = name === 'oidc' ? { autoCreate: true } : {};
    const person = name === 'oidc' ? { ...jane, email: 'jane.oidc@corp.example' } : jane;

    test(`${name}: hand-off on the admin page`, async () => {
      use(name, linking);
      const res = await handOff({ [HEADERS[name]]: await tokenFor(name, person) });
      await assertSignedInAs(app, res, person.email);
    });

    test(`${name}: strict mode, every API request carries the assertion`, async () => {
      use(name, { mode: 'strict', ...linking });
      const token = await tokenFor(name, person);
      for (let i = 0; i < 3; i++) {
        const me = await api('/admin/users/me', { [HEADERS[name]]: token });
        assert.equal(me.status, 200, me.body);
        assert.equal(me.json().data.email, person.email);
      }
    });
  }

  test('explicit login (/remote-auth/login) with an assertion, and without one it names the assertion header', async () => {
    const res = await request(app.origin, '/remote-auth/login?returnTo=%2Fadmin%2Fcontent-manager', { headers: cf(await cfToken()) });
    assert.equal(res.status, 302, res.body);
    assert.equal(res.headers.location, '/admin/content-manager');
    await assertSignedInAs(app, res, 'jane@corp.example');
    const before = await snapshot(app);
    const none = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json' } });
    await assertRefused(app, before, none, 401, 'no-identity');
  });

  test('an e-mail identity keeps the "header" link: switching from Remote-User to an assertion keeps the account', async () => {
    const link = await app.strapi.db.connection('remote_auth_identities').where({ subject: 'jane@corp.example' }).first();
    assert.equal(link.source, 'header');
  });

  test('an opaque identity (sub) is namespaced by its issuer under the source "assertion"', async () => {
    app.configure({ assertion: { ...presets().oidc, claims: { identity: 'sub' } }, autoCreate: true });
    const sub = randomUUID();
    const token = await oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person: { email: 'opaque@corp.example' }, claims: { sub } });
    await assertSignedInAs(app, await handOff({ 'X-Id-Token': token }), 'opaque@corp.example');
    const link = await app.strapi.db.connection('remote_auth_identities').where({ source: 'assertion', subject: `${keys.origin} ${sub}` }).first();
    assert.ok(link, 'no "assertion" link with the subject "<iss> <sub>"');
  });
});

describe('e-mail is not identity: an IdP address someone can edit signs nobody in (CVE-2023-3128)', () => {
  const idToken = (sub: string, claims: Record<string, unknown> = {}, email = 'root@corp.example') =>
    oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person: { email }, claims: { sub, ...claims } });
  const idRefused = async (token: string, status: number, code: string) => {
    const before = await snapshot(app);
    await assertRefused(app, before, await handOff({ 'X-Id-Token': token }), status, code);
  };

  test('oidc: the identity is "<iss> <sub>"; a Super Admin\'s address on a stranger\'s IdP account does not link', async () => {
    use('oidc', { autoCreate: true });
    await idRefused(await idToken(randomUUID()), 403, 'account-not-linked');
  });

  test('oidc: once linked, another sub with the same (verified) address is refused (account-linked-elsewhere)', async () => {
    const owner = `owner-${randomUUID()}`;
    use('oidc', { linkByEmailHeader: true });
    await assertSignedInAs(app, await handOff({ 'X-Id-Token': await idToken(owner) }), 'root@corp.example');
    const link = await app.strapi.db.connection('remote_auth_identities').where({ source: 'assertion', subject: `${keys.origin} ${owner}` }).first();
    assert.ok(link, 'the sub was not linked');
    await idRefused(await idToken(randomUUID(), { preferred_username: 'mallory' }), 403, 'account-linked-elsewhere');
    await assertSignedInAs(app, await handOff({ 'X-Id-Token': await idToken(owner) }), 'root@corp.example');
  });

  test('email_verified false: refused (assertion-email-unverified) for oidc, custom and an e-mail identity', async () => {
    use('oidc', { linkByEmailHeader: true, autoCreate: true });
    await idRefused(await idToken(randomUUID(), { email_verified: false }), 403, 'assertion-email-unverified');
    await idRefused(await idToken(randomUUID(), { email_verified: 'false' }), 403, 'assertion-email-unverified');
    await idRefused(await idToken(randomUUID(), { email_verified: false }, `new-${randomUUID().slice(0, 8)}@corp.example`), 403, 'assertion-email-unverified');
    app.configure({ assertion: { ...presets().oidc, preset: 'custom', jwksUrl: keys.jwksUrl }, autoCreate: true });
    await idRefused(await idToken(randomUUID(), { email_verified: false }), 403, 'assertion-email-unverified');
    app.configure({ assertion: { ...presets().oidc, claims: { identity: 'email' } }, autoCreate: true });
    await idRefused(await idToken(randomUUID(), { email_verified: false }), 403, 'assertion-email-unverified');
    use('cloudflare');
    await refusedCf(await cfToken({ email_verified: false }), 'assertion-email-unverified');
  });

  test('cloudflare-access keeps the e-mail identity (the provider asserts a verified address)', async () => {
    use('cloudflare');
    await assertSignedInAs(app, await handOff(cf(await cfToken({ jti: randomUUID() }))), 'jane@corp.example');
  });
});

const refusedCf = async (token: string, code: string, status = 403) => {
  const before = await snapshot(app);
  await assertRefused(app, before, await handOff(cf(token)), status, code);
};

describe('groups, roles and names come from the verified claims', () => {
  test('Pomerium groups map to roles; names are synced; the groups header of the plain set-up is ignored', async () => {
    app.configure({
      assertion: presets().pomerium,
      autoCreate: true,
      groupRoles: { 'cms-editors': ['strapi-editor'] },
      groupsHeader: 'Remote-Groups',
    });
    const person = { email: 'grouped@corp.example', firstName: 'Gro', lastName: 'Uped', groups: ['cms-editors', 'staff'] };
    const res = await handOff({ 'X-Pomerium-Jwt-Assertion': await pomeriumToken(ec, { routeDomain: ROUTE, person }), 'Remote-Groups': 'strapi-super-admin' });
    await assertSignedInAs(app, res, 'grouped@corp.example');
    const user = (await app.adminUsers()).find((u) => u.email === 'grouped@corp.example') as unknown as Record<string, unknown> & { roles: Array<{ code: string }> };
    assert.deepEqual(user.roles.map((r) => r.code).sort(), ['strapi-author', 'strapi-editor']);
    assert.equal(user.firstname, 'Gro');
    assert.equal(user.lastname, 'Uped');
  });

  test('a groups claim sent as a delimited string is split with groupsSeparator', async () => {
    app.configure({
      assertion: { ...presets().oidc, claims: { groups: 'roles' }, groupsSeparator: ';' },
      autoCreate: true,
      requireGroups: ['cms-*'],
      groupRoles: { 'cms-editors': ['strapi-editor'] },
    });
    const token = await oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person: { email: 'semi@corp.example' }, claims: { roles: 'staff;cms-editors' } });
    await assertSignedInAs(app, await handOff({ 'X-Id-Token': token }), 'semi@corp.example');
    const before = await snapshot(app);
    const outsider = await oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person: { email: 'outsider@corp.example' }, claims: { roles: 'staff' } });
    await assertRefused(app, before, await handOff({ 'X-Id-Token': outsider }), 403, 'group-required');
  });
});

/** A key store this Strapi has not used yet (the stores are kept per key source and maxKeyAgeSeconds): a restart. */
const freshStore = (name: 'cloudflare' | 'alb') =>
  app.configure({ assertion: { ...presets()[name], maxKeyAgeSeconds: 3600 + Math.floor(Math.random() * 1_000_000) } });

describe('refused, each with its code, and nothing created', () => {
  const refused = async (headers: Record<string, string> | string[], status: number, code: string) => {
    const before = await snapshot(app);
    await assertRefused(app, before, await handOff(headers), status, code);
  };

  test('expired', async () => {
    await refused(cf(await cfToken({ exp: now() - 3600, iat: now() - 7200, nbf: now() - 7200 })), 403, 'assertion-expired');
  });

  test('no exp: a correctly signed assertion without an expiry is refused (exp is required)', async () => {
    const token = await cfToken({ exp: undefined, jti: randomUUID() });
    assert.equal(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp, undefined, 'the token still carries exp');
    await refused(cf(token), 400, 'assertion-malformed');
  });

  test('nbf in the future', async () => {
    await refused(cf(await cfToken({ nbf: now() + 3600 })), 403, 'assertion-expired');
  });

  test('iat in the future beyond clockToleranceSeconds', async () => {
    await refused(cf(await cfToken({ iat: now() + 86400 })), 403, 'assertion-expired');
  });

  test('wrong iss (another Cloudflare team)', async () => {
    await refused(cf(await cfToken({ iss: 'https://evil.cloudflareaccess.com' })), 403, 'assertion-issuer');
  });

  test('wrong aud (another Access application)', async () => {
    await refused(cf(await cfToken({ aud: ['another-application-aud-tag'] })), 403, 'assertion-audience');
  });

  test('IAP: the audience of another backend service', async () => {
    use('iap');
    const token = await iapToken(ec, { projectNumber: '1234567890', backendServiceId: '1111111111', person: jane });
    await refused({ 'x-goog-iap-jwt-assertion': token }, 403, 'assertion-audience');
  });

  test('oidc: an ID token issued to another client (azp) that lists ours in aud', async () => {
    use('oidc');
    const token = await oidcToken(rsa, { issuer: keys.origin, clientId: 'x', person: jane, claims: { aud: ['other-client', 'strapi-admin'], azp: 'other-client' } });
    await refused({ 'X-Id-Token': token }, 403, 'assertion-audience');
  });

  test('oidc: a Keycloak-style access token (payload typ Bearer) is not an ID token', async () => {
    use('oidc');
    const token = await oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person: jane, claims: { typ: 'Bearer', scope: 'openid email' } });
    await refused({ 'X-Id-Token': token }, 400, 'assertion-malformed');
  });

  test('alg: none', async () => {
    await refused(cf(unsignedToken({ email: jane.email, iss: `https://${TEAM}.cloudflareaccess.com`, aud: [AUD], exp: now() + 600 })), 403, 'assertion-algorithm');
  });

  test('RS/HS confusion: HS256 with the public key as the HMAC secret', async () => {
    const token = await hmacWithPublicKey(rsa, { email: jane.email, iss: `https://${TEAM}.cloudflareaccess.com`, aud: [AUD], exp: now() + 600 });
    await refused(cf(token), 403, 'assertion-algorithm');
  });

  test('the signature of another key that claims the same kid', async () => {
    await refused(cf(await cfToken({}, stranger)), 403, 'assertion-signature');
  });

  test('an unknown kid is refused after one refetch; a flood of random kids costs the key URL a bounded budget', async () => {
    freshStore('cloudflare');
    await assertSignedInAs(app, await handOff(cf(await cfToken({ jti: randomUUID() }))), 'jane@corp.example');
    const unknown = await createSigningKey('RS256', 'never-published');
    const flood = await Promise.all(Array.from({ length: 30 }, () => cfToken({}, unknown, { kid: randomUUID() })));
    const before = keys.requestsTo('/jwks');
    const started = Date.now();
    await refused(cf(await cfToken({}, unknown)), 403, 'assertion-unknown-key');
    assert.equal(keys.requestsTo('/jwks'), before + 1, 'the unknown kid should cause exactly one refetch');
    await refused(cf(await cfToken({}, unknown)), 403, 'assertion-unknown-key');
    assert.equal(keys.requestsTo('/jwks'), before + 1, 'the same unknown kid was fetched again during its cool-down');
    for (const token of flood) {
      const before = await snapshot(app);
      const res = await handOff(cf(token));
      // Past the fetch budget the key source is not asked: 503 keys-unavailable, never a sign-in.
      if (res.status === 503) await assertRefused(app, before, res, 503, 'keys-unavailable');
      else await assertRefused(app, before, res, 403, 'assertion-unknown-key');
    }
    // The budget, plus what it refilled meanwhile (nothing much on any machine that is not crawling).
    const allowed = UNKNOWN_KID_FETCHES + Math.floor(((Date.now() - started) * UNKNOWN_KID_FETCHES) / UNKNOWN_KID_COOLDOWN_MS);
    assert.ok(keys.requestsTo('/jwks') - before <= allowed, 'random kids hammered the key URL');
  });

  test('JWKS: a made-up kid does not put a cool-down on a key the provider publishes right after', async () => {
    freshStore('cloudflare');
    await assertSignedInAs(app, await handOff(cf(await cfToken({ jti: randomUUID() }))), 'jane@corp.example');
    await refused(cf(await cfToken({}, stranger, { kid: `random-${randomUUID()}` })), 403, 'assertion-unknown-key');
    const rotated = await createSigningKey('RS256', `rotated-${randomUUID()}`);
    keys.publish(rsa, ec, rotated);
    await assertSignedInAs(app, await handOff(cf(await cfToken({ jti: randomUUID() }, rotated))), 'jane@corp.example');
  });

  test('ALB: a made-up kid does not lock out a never-seen real kid; a spent budget answers keys-unavailable, not unknown-key', async () => {
    freshStore('alb');
    const attacker = await createSigningKey('ES256');
    const forged = () => albToken(attacker, { albArn: ARN, issuer: ALB_ISSUER, person: { email: 'root@corp.example' }, header: { kid: randomUUID() } });
    await refused({ 'x-amzn-oidc-data': await forged() }, 403, 'assertion-unknown-key');
    await assertSignedInAs(app, await handOff({ 'x-amzn-oidc-data': await albToken(ec, { albArn: ARN, issuer: ALB_ISSUER, person: jane }) }), 'jane@corp.example');
    // Spend the budget with made-up kids: the first refusal past it is 503 keys-unavailable with Retry-After.
    let spent: TestResponse | null = null;
    for (let i = 0; i < 4 * UNKNOWN_KID_FETCHES && spent === null; i++) {
      const before = await snapshot(app);
      const res = await handOff({ 'x-amzn-oidc-data': await forged() });
      if (res.status === 503) {
        await assertRefused(app, before, res, 503, 'keys-unavailable');
        assert.ok(Number(res.headers['retry-after']) > 0, 'no Retry-After');
        spent = res;
      } else {
        await assertRefused(app, before, res, 403, 'assertion-unknown-key');
      }
    }
    assert.ok(spent, 'made-up kids never exhausted the fetch budget');
  });

  test('a token naming its own key (jwk / jku headers) is not believed', async () => {
    freshStore('cloudflare'); // its own fetch budget: the refusal is unknown-key, whatever ran before
    const attacker = await createSigningKey('RS256', 'attacker');
    const token = await signToken(attacker, { email: jane.email, iss: `https://${TEAM}.cloudflareaccess.com`, aud: [AUD], exp: now() + 600 }, {
      jwk: attacker.publicJwk,
      jku: `${keys.origin}/jwks-of-attacker`,
    });
    const before = await snapshot(app);
    await assertRefused(app, before, await handOff(cf(token)), 403, 'assertion-unknown-key');
    assert.equal(keys.requestsTo('/jwks-of-attacker'), 0);
  });

  test('ALB: kids with path or URL tricks never reach the key URL', async () => {
    use('alb');
    const requests = keys.requests();
    for (const kid of ['../../jwks', 'a/b', 'https://evil.example/key', '%2e%2e', 'x?y=1']) {
      const token = await albToken(ec, { albArn: ARN, issuer: ALB_ISSUER, person: jane, header: { kid } });
      await refused({ 'x-amzn-oidc-data': token }, 400, 'assertion-malformed');
    }
    assert.equal(keys.requests(), requests, 'a crafted kid reached the key server');
  });

  test('ALB: a token signed by another load balancer (signer)', async () => {
    use('alb');
    const token = await albToken(ec, { albArn: ARN.replace('cms-alb', 'other-alb'), issuer: ALB_ISSUER, person: jane });
    await refused({ 'x-amzn-oidc-data': token }, 403, 'assertion-issuer');
  });

  test('the token in two headers', async () => {
    const token = await cfToken();
    await refused(['Cf-Access-Jwt-Assertion', token, 'Cf-Access-Jwt-Assertion', token], 400, 'duplicate-header');
  });

  test('a look-alike header name (underscore twin)', async () => {
    const token = await cfToken();
    await refused(['Cf-Access-Jwt-Assertion', token, 'Cf_Access_Jwt_Assertion', token], 400, 'header-twin');
  });

  test('a token over 16 KB (padding claims): refused before any verification', async () => {
    const token = await cfToken({ padding: 'x'.repeat(13_000) });
    assert.ok(token.length > 16 * 1024);
    const before = await snapshot(app);
    const res = await handOff(cf(token));
    // Node's own header limit (16 KB in all) may answer 431 first; either way nobody is signed in.
    if (res.status === 431) await assertRefused(app, before, res, 431);
    else await assertRefused(app, before, res, 400, 'assertion-malformed');
  });

  test('garbage', async () => {
    await refused(cf('not-a-jwt'), 400, 'assertion-malformed');
    await refused(cf('a.b.c'), 400, 'assertion-malformed');
    await refused(cf('eyJhbGciOiJSUzI1NiJ9.e30=.AAAA'), 400, 'assertion-malformed');
  });

  test('the unsigned companion header alone', async () => {
    await refused({ 'Cf-Access-Authenticated-User-Email': 'root@corp.example' }, 401, 'assertion-missing');
    use('iap');
    await refused({ 'x-goog-authenticated-user-email': 'accounts.google.com:root@corp.example' }, 401, 'assertion-missing');
    use('alb');
    await refused({ 'x-amzn-oidc-identity': 'root', 'x-amzn-oidc-accesstoken': 'abc' }, 401, 'assertion-missing');
  });

  test('the plain identity header alone, while an assertion is configured', async () => {
    await refused({ 'Remote-User': 'root@corp.example' }, 401, 'assertion-missing');
  });

  test('a valid assertion next to a forged companion: only the assertion counts', async () => {
    const res = await handOff({ ...cf(await cfToken()), 'Cf-Access-Authenticated-User-Email': 'root@corp.example', 'Remote-User': 'root@corp.example' });
    await assertSignedInAs(app, res, 'jane@corp.example');
  });

  test('trustedProxies, when configured, still applies on top of the signature', async () => {
    app.configure({ assertion: presets().cloudflare, trustedProxies: ['10.9.9.9/32'] });
    await refused(cf(await cfToken()), 403, 'untrusted-peer');
    app.configure({ assertion: presets().cloudflare, trustedProxies: [] });
    await assertSignedInAs(app, await handOff(cf(await cfToken())), 'jane@corp.example');
  });
});

describe('the key URL failing: 503 keys-unavailable, nothing hangs, cached keys keep working', () => {
  // A key URL this Strapi has never fetched: no cached keys to fall back on.
  const fresh = (mode: KeyServer['mode']) => {
    keys.mode = mode;
    app.configure({ assertion: { ...presets().cloudflare, jwksUrl: `${keys.jwksUrl}?${mode}=${randomUUID()}` } });
  };
  const unavailable = async () => {
    const before = await snapshot(app);
    const res = await handOff(cf(await cfToken()));
    await assertRefused(app, before, res, 503, 'keys-unavailable');
    assert.ok(Number(res.headers['retry-after']) > 0, 'no Retry-After');
  };

  test('down', async () => {
    fresh('down');
    await unavailable();
  });

  test('slow (beyond the 5 s time-out)', async () => {
    fresh('slow');
    await unavailable();
  });

  test('invalid JSON', async () => {
    fresh('invalid-json');
    await unavailable();
  });

  test('a huge body is not read to the end', async () => {
    fresh('huge');
    const sentBefore = keys.hugeBytesSent();
    await unavailable();
    assert.ok(keys.hugeBytesSent() - sentBefore < 32 * 1024 * 1024, 'the whole huge body was read');
  });

  test('HTTP 500', async () => {
    fresh('error');
    await unavailable();
  });

  test('while the key URL is down, cached keys keep working; a new kid gets keys-unavailable', async () => {
    fresh('ok');
    await assertSignedInAs(app, await handOff(cf(await cfToken({ jti: randomUUID() }))), 'jane@corp.example');
    keys.mode = 'down';
    await assertSignedInAs(app, await handOff(cf(await cfToken({ jti: randomUUID() }))), 'jane@corp.example');
    const rotated = await createSigningKey('RS256', `rotated-${randomUUID()}`);
    const before = await snapshot(app);
    const res = await handOff(cf(await cfToken({}, rotated)));
    await assertRefused(app, before, res, 503, 'keys-unavailable');
  });

  test('rotation: a new kid causes one refetch and then verifies', async () => {
    fresh('ok');
    await assertSignedInAs(app, await handOff(cf(await cfToken({ jti: randomUUID() }))), 'jane@corp.example');
    const rotated = await createSigningKey('RS256', `rotated-${randomUUID()}`);
    keys.publish(rotated, rsa, ec);
    const fetches = keys.requestsTo('/jwks');
    await assertSignedInAs(app, await handOff(cf(await cfToken({ jti: randomUUID() }, rotated))), 'jane@corp.example');
    assert.equal(keys.requestsTo('/jwks'), fetches + 1);
    await assertSignedInAs(app, await handOff(cf(await cfToken({ jti: randomUUID() }, rotated))), 'jane@corp.example');
    assert.equal(keys.requestsTo('/jwks'), fetches + 1, 'a known kid was fetched again');
  });
});

describe('settings and diagnostics', () => {
  const settingsApi = (token: string, method = 'GET', path = '/remote-auth/settings', body?: unknown, headers: Record<string, string> = {}) =>
    request(app.origin, path, { method, body, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...headers } });

  test('the settings API validates the assertion with operator-worded errors', async () => {
    app.configure({ assertion: undefined });
    const cases: Array<[unknown, RegExp]> = [
      [{ preset: 'aws-alb', region: 'eu-west-1', issuer: ALB_ISSUER }, /albArn is required/],
      [{ preset: 'custom', header: 'X-Jwt', issuer: 'https://idp.example', audience: 'a', jwksUrl: 'https://idp.example/jwks', algorithms: ['HS256'] }, /needs \.hmacSecret/],
      [{ preset: 'cloudflare-access', team: 'acme', audience: 'x', algorithms: ['none'] }, /never include "none"/],
      [{ preset: 'cloudflare-access', team: 'acme', audience: 'x', jwksUrl: 'http://keys.example/certs' }, /must use https/],
      [{ preset: 'okta' }, /\.preset must be one of/],
    ];
    for (const [assertion, message] of cases) {
      const res = await settingsApi(root, 'PUT', '/remote-auth/settings', { settings: { assertion } });
      assert.equal(res.status, 400, res.body);
      assert.match(res.json().error.message, message);
    }
  });

  test('the HMAC secret is write-only, and the assertion is for Super Admins only', async () => {
    app.configure({ assertion: undefined });
    const assertion = { preset: 'custom', header: 'X-Jwt', issuer: 'https://idp.example', audience: 'cms', algorithms: ['HS256'], hmacSecret: 'h'.repeat(40) };
    const saved = await settingsApi(root, 'PUT', '/remote-auth/settings', { settings: { assertion, trustedProxies: ['127.0.0.1/32'] } });
    assert.equal(saved.status, 200, saved.body);
    const shown = saved.json().data.settings.assertion;
    assert.equal(shown.hmacSecret, undefined);
    assert.equal(shown.hmacSecretIsSet, true);
    assert.ok(!saved.body.includes('h'.repeat(40)));
    const readOnly = saved.json().data.fields.assertion;
    assert.equal(readOnly.kind, 'assertion');
    // Saving the form back without the secret keeps it.
    const again = await settingsApi(root, 'PUT', '/remote-auth/settings', { settings: { ...saved.json().data.settings, sharedSecret: null } });
    assert.equal(again.status, 200, again.body);
    assert.equal((await app.strapi.plugin('remote-auth').service('settings').storedValues()).assertion.hmacSecret, 'h'.repeat(40));

    const role = await app.strapi.service('admin::role').create({ name: `SSO operators ${randomUUID()}`, description: 'remote-auth' });
    await app.strapi.service('admin::role').assignPermissions(role.id, [
      { action: 'plugin::remote-auth.settings.read', subject: null, properties: {}, conditions: [] },
      { action: 'plugin::remote-auth.settings.update', subject: null, properties: {}, conditions: [] },
    ]);
    const email = `operator-${randomUUID().slice(0, 8)}@corp.example`;
    await app.createAdmin({ email, password: PASSWORD, roles: [role.code] });
    const operator = (await passwordLogin(app, email, PASSWORD)).json().data.token;
    const res = await settingsApi(operator, 'PUT', '/remote-auth/settings', { settings: { assertion: { ...assertion, audience: 'other' } } });
    assert.equal(res.status, 403, res.body);
    assert.match(res.body, /assertion/);
    await app.strapi.plugin('remote-auth').service('settings').save({});
  });

  test('"Check this connection" shows the verified claims, or the precise reason', async () => {
    const ok = await settingsApi(root, 'GET', '/remote-auth/diagnostics', undefined, cf(await cfToken()));
    assert.equal(ok.status, 200, ok.body);
    const good = ok.json().data;
    assert.equal(good.assertion.state, 'verified');
    assert.equal(good.assertion.claims.email, 'ja**@corp.example #b192d5', 'the e-mail claim is masked like every identity in diagnostics (tag keyed from admin.auth.secret)');
    assert.equal(good.assertion.protectedHeader.kid, 'cf-key-1');
    assert.equal(good.outcome.result, 'would-sign-in');
    assert.ok(good.assertion.keys.keys >= 1);

    const expired = await settingsApi(root, 'GET', '/remote-auth/diagnostics', undefined, cf(await cfToken({ exp: now() - 3600, iat: now() - 7200 })));
    const bad = expired.json().data;
    assert.equal(bad.assertion.state, 'refused');
    assert.equal(bad.assertion.code, 'assertion-expired');
    assert.equal(bad.outcome.code, 'assertion-expired');
  });
});
