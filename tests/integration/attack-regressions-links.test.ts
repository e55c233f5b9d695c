/**
 * Regressions of the attack pass on linking, the first Super Admin and
 * claim text (SECURITY.md T10, T18, T27, T28, T29), against a running Strapi:
 * - F4: with no Super Admin, the person is told only that Strapi is not set
 *   up (Strapi's first-administrator form is open to anyone then); the
 *   operator gets the instructions in the log and a warning at the first request;
 * - F8: "a Super Admin exists" is believed for a minute, not for ever;
 * - F3: an oidc token without email_verified never links an existing
 *   account (here the Super Admin) by its e-mail;
 * - F5: a back-channel logout token without typ is not an ID token;
 * - F7: bidi and invisible characters in names and groups are refused,
 *   from signed claims and from attribute headers;
 * - F11: aws-alb without clientId warns at boot (a Strapi process of its own).
 * Each refusal shows its code and that no user, link or session came of it.
 * The app boots without a Super Admin: the F4 and F8 tests run first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { bootOnce, startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertRefused, assertSignedInAs, snapshot } from '../harness/assertions';
import { captureLog, type LogCapture } from '../harness/log-capture';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { createSigningKey, oidcToken, type Claims, type Header, type Person, type SigningKey } from '../harness/assertion-tokens';

const PASSWORD = 'Sup3rSecret!pass';
const ROOT = 'root@corp.example';
const PUBLIC_SENTENCE = 'This Strapi is not set up yet. Please ask its administrator.';

let app: TestStrapi;
let keys: KeyServer;
let rsa: SigningKey;
let log: LogCapture;

const fresh = (): Person => ({ email: `p-${randomUUID().slice(0, 8)}@corp.example`, firstName: 'Pat', lastName: 'Doe' });
const HEADER_SETUP = { assertion: null, autoCreate: true, linkByEmail: false, linkByEmailHeader: false };
const oidc = { preset: 'oidc', header: 'X-Id-Token', issuer: '', audience: 'strapi-admin', jwksUrl: '', claims: { groups: 'groups' } };
const useOidc = (extra: Record<string, unknown> = {}) =>
  app.configure({ assertion: { ...oidc, issuer: keys.origin, jwksUrl: keys.jwksUrl }, autoCreate: true, groupRoles: { editors: ['strapi-editor'] }, ...extra });

const visit = (headers: Record<string, string>): Promise<TestResponse> => request(app.origin, '/admin', { headers: { ...BROWSER, ...headers } });
const asHeader = (identity: string, extra: Record<string, string> = {}) => visit({ 'Remote-User': identity, ...extra });
const oidcSignIn = async (person: Person, claims: Claims = {}, header: Header = {}) =>
  visit({ 'X-Id-Token': await oidcToken(rsa, { issuer: keys.origin, clientId: 'strapi-admin', person, claims, header }) });
const utf8AsLatin1 = (value: string): string => Buffer.from(value, 'utf8').toString('latin1');

/** The attack is refused with `code`, and no user, identity link or session came of it. */
async function refused(attack: () => Promise<TestResponse>, status: number, code: string): Promise<TestResponse> {
  const before = await snapshot(app);
  const res = await attack();
  await assertRefused(app, before, res, status, code);
  return res;
}

/** The plugin's clock (server/src/strapi/clock.ts), stopped and moved by the test. */
const clock = () => app.strapi.plugin('remote-auth').service('clock') as { now(): number };

before(async () => {
  rsa = await createSigningKey('RS256', 'rsa-key-1');
  keys = await startKeyServer(rsa);
  app = await startStrapi({ superAdmin: false, config: HEADER_SETUP });
  log = captureLog(app.strapi);
});
after(async () => {
  log?.stop();
  await app?.stop();
  await keys?.close();
});

describe('F4: no Super Admin yet', () => {
  test('the operator is warned at the first request, naming /admin/auth/register-admin', async () => {
    await request(app.origin, '/admin/init', { headers: { Accept: 'application/json' } });
    await log.waitFor(/\[remote-auth\] this app has no Super Admin .*\/admin\/auth\/register-admin.*open to anyone/);
  });

  test('the person is told only that Strapi is not set up; the log line has the instructions', async () => {
    const newcomer = fresh().email;
    const page = await refused(() => asHeader(newcomer), 403, 'no-super-admin');
    assert.ok(page.body.includes(PUBLIC_SENTENCE), page.body);
    assert.doesNotMatch(page.body, /register-admin|admin:create-user/);
    const api = await refused(() => request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': newcomer } }), 403, 'no-super-admin');
    assert.equal(api.json().error.message, PUBLIC_SENTENCE);
    assert.doesNotMatch(api.body, /register-admin|admin:create-user/);
    const line = await log.waitFor(/refused \(no-super-admin\)/);
    assert.match(line, /\/admin\/auth\/register-admin/);
  });
});

describe('F8: the only Super Admin blocked', () => {
  test('single sign-on stops creating accounts once "a Super Admin exists" has expired (60 s on the plugin clock)', async () => {
    const system = clock().now;
    let at = Date.now();
    clock().now = () => at;
    const root = await app.createAdmin({ email: ROOT, password: PASSWORD });
    const block = (blocked: boolean) => app.strapi.db.query('admin::user').update({ where: { id: root.id }, data: { blocked } });
    try {
      const first = fresh().email;
      await assertSignedInAs(app, await asHeader(first), first); // "a Super Admin exists" is now believed
      await block(true);
      at += 60_000;
      await refused(() => asHeader(fresh().email), 403, 'no-super-admin');
      await block(false);
      const next = fresh().email;
      await assertSignedInAs(app, await asHeader(next), next);
    } finally {
      await block(false); // the tests after this one need the Super Admin
      clock().now = system;
    }
  });
});

describe('F3: oidc, linkByEmail and linkByEmailHeader on (T29, nOAuth)', () => {
  test("a fresh sub with the Super Admin's address and no email_verified is refused (account-not-linked), and the log says why", async () => {
    useOidc({ linkByEmail: true, linkByEmailHeader: true });
    await refused(() => oidcSignIn({ email: ROOT }, { email_verified: undefined }), 403, 'account-not-linked');
    const line = await log.waitFor(/refused \(account-not-linked\).*no email_verified/);
    assert.match(line, new RegExp(ROOT.replace('.', '\\.')));
  });

  test('an existing editor links with email_verified true (the documented opt-in still works)', async () => {
    useOidc({ linkByEmail: true, linkByEmailHeader: true });
    const editor = `editor-${randomUUID().slice(0, 8)}@corp.example`;
    await app.createAdmin({ email: editor, roles: ['strapi-editor'] });
    await refused(() => oidcSignIn({ email: editor }, { email_verified: undefined }), 403, 'account-not-linked');
    await assertSignedInAs(app, await oidcSignIn({ email: editor }, { email_verified: true }), editor);
  });
});

describe('F5: tokens that are not ID tokens (T28)', () => {
  test('a back-channel logout token without typ is refused (assertion-malformed)', async () => {
    useOidc();
    const logout = { events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, sid: randomUUID() };
    await refused(() => oidcSignIn(fresh(), logout, { typ: undefined }), 400, 'assertion-malformed');
    await refused(() => oidcSignIn(fresh(), { events: {} }), 400, 'assertion-malformed');
  });
});

describe('F7: bidi and invisible characters in names and groups (T27)', () => {
  test('signed claims: refused (assertion-malformed) in given_name, family_name and groups', async () => {
    useOidc();
    await refused(() => oidcSignIn({ ...fresh(), firstName: 'Eve\u202e\u2066gnp.exe' }), 400, 'assertion-malformed');
    await refused(() => oidcSignIn({ ...fresh(), lastName: '\u200f\u061c\ufeffX' }), 400, 'assertion-malformed');
    await refused(() => oidcSignIn({ ...fresh(), groups: ['editors', 'adm\u202ens'] }), 400, 'assertion-malformed');
    await refused(() => oidcSignIn({ ...fresh(), lastName: 'Do\u2060e' }), 400, 'assertion-malformed');
  });

  test('attribute headers: refused (forbidden-character) in the name and groups headers', async () => {
    app.configure({ ...HEADER_SETUP, firstNameHeader: 'Remote-Firstname', lastNameHeader: 'Remote-Lastname', groupsHeader: 'Remote-Groups' });
    for (const [name, value] of [
      ['Remote-Firstname', 'Eve\u202e\u2066gnp.exe'],
      ['Remote-Lastname', 'X\u200f\u061c\ufeffY'],
      ['Remote-Groups', 'editors,adm\u202ens'],
    ]) {
      await refused(() => asHeader(fresh().email, { [name]: utf8AsLatin1(value) }), 400, 'forbidden-character');
    }
  });
});

/** What Strapi logged while it booted once with `config` (a process of its own), ending with its exit code. */
async function bootLog(config: Record<string, unknown>): Promise<string> {
  const { code, log } = await bootOnce({ config, env: { STRAPI_LOG_LEVEL: 'warn' } });
  return `${log}\nexit ${code}`;
}

describe('F11: aws-alb without clientId (T28)', () => {
  const ALB = {
    preset: 'aws-alb',
    region: 'eu-west-1',
    albArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188',
    issuer: 'https://idp.corp.example',
  };
  const WARNING = /\[remote-auth\] assertion: aws-alb without clientId .*set clientId to the client id of this app's rule/;

  test('warns once at boot, saying when to set clientId; not with clientId', async () => {
    const without = await bootLog({ assertion: ALB });
    assert.match(without, /exit 0$/, without);
    assert.equal(without.split('\n').filter((line) => WARNING.test(line)).length, 1, without);
    const withClient = await bootLog({ assertion: { ...ALB, clientId: 'cms-listener-client' } });
    assert.match(withClient, /exit 0$/, withClient);
    assert.doesNotMatch(withClient, WARNING);
  });
});
