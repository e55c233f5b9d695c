/**
 * Tokens bound to their client, ID tokens only, e-mail as identity only where
 * it is verified (issue 20, items 5 and 6; SECURITY.md T28, T29), and a key
 * URL that cannot silently fail — against a real Strapi and a real key server
 * on 127.0.0.1. Every refusal shows its code and that nothing was created:
 * each attack uses a fresh identity with autoCreate on.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertRefused, assertSignedInAs, passwordLogin, snapshot } from '../harness/assertions';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { PROBE_CACHE_MS } from '../../server/src/signed-assertions/key-probe';
import { albToken, cloudflareToken, createSigningKey, oidcToken, type Claims, type Header, type Person, type SigningKey } from '../harness/assertion-tokens';

const PASSWORD = 'Sup3rSecret!pass';
const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const ALB_ISSUER = 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0';
const CLIENT = 'cms-listener-client';
const TEAM = 'acme';
const AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';
const ROOT = 'root@corp.example';

let app: TestStrapi;
let keys: KeyServer;
let rsa: SigningKey;
let ec: SigningKey;
let root = '';

const fresh = (): Person => ({ email: `p-${randomUUID().slice(0, 8)}@corp.example`, firstName: 'Pat', lastName: 'Doe' });
const alb = (extra: Record<string, unknown> = {}) => ({ preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ALB_ISSUER, jwksUrl: keys.pemBaseUrl, ...extra });
const oidc = (extra: Record<string, unknown> = {}) => ({ preset: 'oidc', header: 'X-Id-Token', issuer: keys.origin, audience: 'strapi-admin', ...extra });
const use = (assertion: Record<string, unknown>, extra: Record<string, unknown> = {}) => app.configure({ assertion, autoCreate: true, ...extra });

const handOff = (headers: Record<string, string>): Promise<TestResponse> => request(app.origin, '/admin', { headers: { ...BROWSER, ...headers } });
const albSignIn = async (person: Person, o: { client?: string; claims?: Claims; header?: Header } = {}) =>
  handOff({ 'x-amzn-oidc-data': await albToken(ec, { albArn: ARN, issuer: ALB_ISSUER, person, ...o }) });
const oidcSignIn = async (person: Person, claims: Claims = {}, header: Header = {}) =>
  handOff({ 'X-Id-Token': await oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person, claims, header }) });
let skew = 0;
/** Moves the plugin's clock past the key check's cached answer (PROBE_CACHE_MS): every check here fetches afresh, as the keys change between them. */
function expireKeyCheck(): void {
  skew += PROBE_CACHE_MS;
  const clock = app.strapi.plugin('remote-auth').service('clock') as { now(): number };
  clock.now = () => Date.now() + skew;
}
const diagnostics = (headers: Record<string, string> = {}) => {
  expireKeyCheck();
  return request(app.origin, '/remote-auth/diagnostics', { headers: { Authorization: `Bearer ${root}`, Accept: 'application/json', ...headers } });
};

/** The attack is refused with `code`, and no user, identity link or session came of it. */
async function refused(attack: () => Promise<TestResponse>, status: number, code: string): Promise<void> {
  const before = await snapshot(app);
  await assertRefused(app, before, await attack(), status, code);
}

const linksOf = async (email: string): Promise<string[]> => {
  const rows = (await app.strapi.db
    .connection('remote_auth_identities as l')
    .join('admin_users as u', 'u.id', 'l.user_id')
    .where('u.email', email)
    .select('l.source', 'l.subject')) as Array<{ source: string; subject: string }>;
  return rows.map((row) => `${row.source}:${row.subject}`);
};

before(async () => {
  rsa = await createSigningKey('RS256', 'rsa-key-1');
  ec = await createSigningKey('ES256');
  keys = await startKeyServer(rsa, ec);
  app = await startStrapi({ config: { assertion: alb() } });
  await app.createAdmin({ email: ROOT, password: PASSWORD });
  root = (await passwordLogin(app, ROOT, PASSWORD)).json().data.token;
});
after(async () => {
  await app?.stop();
  await keys?.close();
});
beforeEach(() => {
  keys.mode = 'ok';
  keys.publish(rsa, ec);
});

describe('aws-alb: the token is bound to the listener rule’s client (T28)', () => {
  test('with clientId set, a token for another client of the same ALB is refused (assertion-audience)', async () => {
    use(alb({ clientId: CLIENT }));
    await refused(() => albSignIn(fresh(), { client: 'intranet-listener-client' }), 403, 'assertion-audience');
    await refused(() => albSignIn(fresh(), { header: { client: undefined } }), 403, 'assertion-audience');
  });

  test('with clientId set, a token for that client signs in', async () => {
    use(alb({ clientId: CLIENT }));
    const person = fresh();
    await assertSignedInAs(app, await albSignIn(person, { client: CLIENT }), person.email);
  });

  test('clientId is refused with another preset, and checked like the other settings', async () => {
    app.configure({ assertion: undefined });
    const put = (assertion: unknown) =>
      request(app.origin, '/remote-auth/settings', {
        method: 'PUT',
        body: { settings: { assertion } },
        headers: { Authorization: `Bearer ${root}`, Accept: 'application/json' },
      });
    const wrong = await put(oidc({ clientId: CLIENT }));
    assert.equal(wrong.status, 400, wrong.body);
    assert.match(wrong.json().error.message, /clientId is for the "aws-alb" preset/);
    const spaced = await put(alb({ clientId: 'has space' }));
    assert.equal(spaced.status, 400, spaced.body);
    assert.match(spaced.json().error.message, /clientId must be/);
    const saved = await put(alb({ clientId: CLIENT }));
    assert.equal(saved.status, 200, saved.body);
    assert.equal(saved.json().data.settings.assertion.clientId, CLIENT);
    await app.strapi.plugin('remote-auth').service('settings').save({});
  });
});

describe('oidc: several audiences need an authorized party (T28)', () => {
  test('aud with two values and no azp is refused (assertion-audience)', async () => {
    use(oidc());
    await refused(() => oidcSignIn(fresh(), { aud: ['strapi-admin', 'reporting'], azp: undefined }), 403, 'assertion-audience');
  });

  test('aud with two values and azp = the configured audience signs in; one value needs no azp', async () => {
    use(oidc());
    const person = fresh();
    await assertSignedInAs(app, await oidcSignIn(person, { aud: ['strapi-admin', 'reporting'], azp: 'strapi-admin' }), person.email);
    const single = fresh();
    await assertSignedInAs(app, await oidcSignIn(single, { aud: 'strapi-admin', azp: undefined }), single.email);
  });
});

describe('only ID tokens identify anyone (T28)', () => {
  for (const typ of ['Offline', 'Logout', 'Refresh', 'Bearer', 'Serialized-ID']) {
    test(`Keycloak payload typ "${typ}" is refused (assertion-malformed)`, async () => {
      use(oidc());
      await refused(() => oidcSignIn(fresh(), { typ }), 400, 'assertion-malformed');
    });
  }

  for (const typ of ['logout+jwt', 'secevent+jwt', 'at+jwt']) {
    test(`header typ "${typ}" is refused (assertion-malformed)`, async () => {
      use(oidc());
      await refused(() => oidcSignIn(fresh(), {}, { typ }), 400, 'assertion-malformed');
    });
  }

  test('an ID token (payload typ "ID", header typ "JWT" in any case, or none) signs in', async () => {
    use(oidc());
    for (const [claims, header] of [[{ typ: 'ID' }, {}], [{}, { typ: 'jwt' }], [{}, { typ: undefined }]] as Array<[Claims, Header]>) {
      const person = fresh();
      await assertSignedInAs(app, await oidcSignIn(person, claims, header), person.email);
    }
  });

  test('the proxies’ own assertions (ALB header typ JWT, Cloudflare) still sign in', async () => {
    use(alb());
    const person = fresh();
    await assertSignedInAs(app, await albSignIn(person), person.email);
    use({ preset: 'cloudflare-access', team: TEAM, audience: AUD, jwksUrl: keys.jwksUrl });
    const other = fresh();
    await assertSignedInAs(app, await handOff({ 'Cf-Access-Jwt-Assertion': await cloudflareToken(rsa, { team: TEAM, aud: AUD, person: other }) }), other.email);
  });
});

describe('aws-alb: e-mail is not the identity (T29)', () => {
  test('a token without email_verified carrying the Super Admin’s address does not sign in as the Super Admin', async () => {
    use(alb());
    await refused(() => albSignIn({ email: ROOT }, { claims: { email_verified: undefined } }), 403, 'account-not-linked');
    // Not even with the e-mail linking opt-in: ALB passes the IdP's userinfo through unchecked.
    use(alb(), { linkByEmail: true, linkByEmailHeader: true });
    await refused(() => albSignIn({ email: ROOT }, { claims: { email_verified: undefined } }), 403, 'account-not-linked');
  });

  test('a new person is linked as "<iss> <sub>", so a later token with the same address and another sub is someone else', async () => {
    use(alb());
    const person = fresh();
    const sub = randomUUID();
    await assertSignedInAs(app, await albSignIn(person, { claims: { sub, email_verified: undefined } }), person.email);
    assert.deepEqual(await linksOf(person.email), [`assertion:${ALB_ISSUER} ${sub}`]);
    await refused(() => albSignIn(person, { claims: { sub: randomUUID() } }), 403, 'account-linked-elsewhere');
  });

  test('an existing account links by a verified address only with the linking opt-in (the upgrade path)', async () => {
    const editor = `editor-${randomUUID().slice(0, 8)}@corp.example`;
    await app.createAdmin({ email: editor, roles: ['strapi-editor'] });
    use(alb(), { linkByEmail: true, linkByEmailHeader: false });
    await refused(() => albSignIn({ email: editor }), 403, 'account-not-linked');
    use(alb(), { linkByEmail: true, linkByEmailHeader: true });
    const sub = randomUUID();
    await assertSignedInAs(app, await albSignIn({ email: editor }, { claims: { sub, email_verified: 'true' } }), editor);
    assert.deepEqual(await linksOf(editor), [`assertion:${ALB_ISSUER} ${sub}`]);
  });

  test('claims.identity "email" keeps the former e-mail identity (an explicit choice)', async () => {
    use(alb({ claims: { identity: 'email' } }));
    const person = fresh();
    await assertSignedInAs(app, await albSignIn(person), person.email);
    assert.deepEqual(await linksOf(person.email), [`header:${person.email}`]);
  });
});

describe('aws-alb key URL without a trailing slash', () => {
  test('the kid is appended after a "/" and the sign-in works', async () => {
    use(alb({ jwksUrl: keys.pemBaseUrl.replace(/\/$/, '') }));
    const person = fresh();
    await assertSignedInAs(app, await albSignIn(person), person.email);
    assert.ok(keys.requestsTo(`/pem/${ec.kid}`) >= 1);
  });
});

describe('"Check this connection" fetches the key source', () => {
  test('a JWKS with keys of an allowed algorithm is usable', async () => {
    use({ preset: 'cloudflare-access', team: TEAM, audience: AUD, jwksUrl: keys.jwksUrl });
    const check = (await diagnostics()).json().data.assertion.keyCheck;
    assert.equal(check.state, 'usable', check.detail);
    assert.equal(check.url, keys.jwksUrl);
    assert.match(check.detail, /1 of them for RS256/);
  });

  test('a JWKS without a key of an allowed algorithm, an empty one, or none at all is unusable, and says so', async () => {
    use({ preset: 'cloudflare-access', team: TEAM, audience: AUD, jwksUrl: keys.jwksUrl });
    keys.publish(ec);
    let check = (await diagnostics()).json().data.assertion.keyCheck;
    assert.equal(check.state, 'unusable');
    assert.match(check.detail, /none for the allowed algorithms \(RS256\)/);
    keys.publish();
    check = (await diagnostics()).json().data.assertion.keyCheck;
    assert.equal(check.state, 'unusable');
    assert.match(check.detail, /lists no public key/);
    use({ preset: 'cloudflare-access', team: TEAM, audience: AUD, jwksUrl: `${keys.origin}/nothing-here` });
    check = (await diagnostics()).json().data.assertion.keyCheck;
    assert.equal(check.state, 'unusable');
    assert.match(check.detail, /answered HTTP 404/);
  });

  test('OIDC discovery is followed to the JWKS', async () => {
    use(oidc());
    const check = (await diagnostics()).json().data.assertion.keyCheck;
    assert.equal(check.state, 'usable', check.detail);
    assert.equal(check.url, keys.jwksUrl);
  });

  test('ALB per-kid keys: without a token it says nothing was fetched and why; with one, the key of its kid is checked', async () => {
    use(alb());
    const none = (await diagnostics()).json().data.assertion.keyCheck;
    assert.equal(none.state, 'not-checked');
    assert.match(none.detail, /one key per key id at .*\/pem\/<kid> and no list of keys/);
    const token = await albToken(ec, { albArn: ARN, issuer: ALB_ISSUER, person: fresh() });
    const good = (await diagnostics({ 'x-amzn-oidc-data': token })).json().data.assertion.keyCheck;
    assert.equal(good.state, 'usable', good.detail);
    assert.equal(good.url, `${keys.pemBaseUrl}${ec.kid}`);
    keys.publish(rsa);
    const gone = (await diagnostics({ 'x-amzn-oidc-data': token })).json().data.assertion.keyCheck;
    assert.equal(gone.state, 'unusable');
    assert.match(gone.detail, /answered HTTP 404/);
  });
});
