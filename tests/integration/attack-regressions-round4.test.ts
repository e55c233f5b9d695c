/**
 * Regressions of the fourth attack pass, against a running Strapi.
 *
 * - R4-F3: a name "Boss" + U+2065 (an unassigned default-ignorable code point, shown as nothing)
 *   was stored and shown as "Boss"; a group "admins" + U+2065 was accepted and matched "admin*".
 *   Such values (and private-use, noncharacter, unassigned and lone-surrogate text) are refused
 *   now, and a log line writes them as \uXXXX.
 * - R4-F4: the tag of a masked identity in a refusal row was the unsalted SHA-256 of the value;
 *   it is an HMAC keyed from the app's admin.auth.secret now.
 * Each refusal shows its code and that no user, link, role or session came of it.
 * The pure logic: tests/unit/attack-regressions-round4.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertRefused, assertSignedInAs, snapshot } from '../harness/assertions';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { createSigningKey, pomeriumToken } from '../harness/assertion-tokens';
import { captureLog, type LogCapture } from '../harness/log-capture';
import { activityRows } from '../harness/activity-rows';
import { FIXTURE_MASK } from '../harness/masking';

const PROXY = '127.0.0.1';
const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const ALB_ISSUER = 'https://idp.example';
const HEADERS = { trustedProxies: [`${PROXY}/32`], autoCreate: true, firstNameHeader: 'Remote-Name', groupsHeader: 'Remote-Groups', groupRoles: { 'admin*': ['strapi-editor'] }, defaultRoles: ['strapi-author'] };
/** Invisible text of each kind the finding named: U+2065 (default-ignorable, unassigned), private use, a noncharacter, a tag-block code point. */
const INVISIBLE = ['\u2065', '\ue000', '\ufdd0', '\u{e0000}'];

let app: TestStrapi;
let keys: KeyServer;
let log: LogCapture;

const page = (headers: Record<string, string>, localAddress = PROXY): Promise<TestResponse> =>
  request(app.origin, '/admin', { headers: { ...BROWSER, ...headers }, localAddress });
/** Header values travel as bytes: a UTF-8 value is sent as the latin1 string of its bytes. */
const utf8 = (value: string) => Buffer.from(value, 'utf8').toString('latin1');
/** The account's role codes, sorted; null when there is no account. */
const rolesOf = async (email: string) => (await app.adminUsers()).find((user) => user.email === email)?.roles.map((role) => role.code).sort() ?? null;
const newEmail = (who: string) => `${who}-${randomUUID().slice(0, 8)}@corp.example`;
const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`;

before(async () => {
  keys = await startKeyServer();
  app = await startStrapi({ config: HEADERS });
  log = captureLog(app.strapi);
});
after(async () => {
  log?.stop();
  await app?.stop();
  await keys?.close();
});

describe('R4-F3: invisible text in a name or group refuses the sign-in', () => {
  test('a first sign-in named "Boss" + U+2065 (and the other kinds) is refused (forbidden-character) and creates no account', async () => {
    app.configure(HEADERS);
    for (const c of INVISIBLE) {
      const email = newEmail('boss');
      const before = await snapshot(app);
      const res = await page({ 'Remote-User': email, 'Remote-Name': utf8(`Boss${c}`) });
      assert.equal(await rolesOf(email), null, `no account for a name with ${hex(c)}`);
      await assertRefused(app, before, res, 400, 'forbidden-character');
    }
  });

  test('a group "admins" + U+2065 gets none of the roles of "admin*": a first sign-in creates no account, an existing account keeps its roles', async () => {
    app.configure(HEADERS);
    const newcomer = newEmail('eve');
    let before = await snapshot(app);
    await assertRefused(app, before, await page({ 'Remote-User': newcomer, 'Remote-Groups': utf8('staff, admins\u2065') }), 400, 'forbidden-character');
    assert.equal(await rolesOf(newcomer), null);

    const existing = newEmail('mallory');
    await assertSignedInAs(app, await page({ 'Remote-User': existing, 'Remote-Groups': 'staff' }), existing);
    assert.deepEqual(await rolesOf(existing), ['strapi-author']);
    for (const c of INVISIBLE) {
      before = await snapshot(app);
      await assertRefused(app, before, await page({ 'Remote-User': existing, 'Remote-Groups': utf8(`staff, admins${c}`) }), 400, 'forbidden-character');
      assert.deepEqual(await rolesOf(existing), ['strapi-author'], `no role of "admin*" for a group with ${hex(c)}`);
    }
    const real = newEmail('ada');
    await assertSignedInAs(app, await page({ 'Remote-User': real, 'Remote-Groups': 'staff, admins' }), real);
    assert.deepEqual(await rolesOf(real), ['strapi-author', 'strapi-editor'], '"admins" itself still maps');
  });

  test('a signed groups claim (pomerium) with "admins" + U+2065 or a lone surrogate is refused (assertion-malformed) and creates no account', async () => {
    const key = await createSigningKey('ES256');
    app.configure({ ...HEADERS, groupsHeader: null, assertion: { preset: 'pomerium', routeDomain: 'cms.example.com', keys: { keys: [key.publicJwk] } } });
    for (const c of [...INVISIBLE, '\ud800']) {
      const email = newEmail('mallory');
      const token = await pomeriumToken(key, { routeDomain: 'cms.example.com', person: { email, groups: ['staff', `admins${c}`] } });
      const before = await snapshot(app);
      const res = await page({ 'X-Pomerium-Jwt-Assertion': token });
      assert.equal(await rolesOf(email), null, `no account for a group with ${hex(c)}`);
      await assertRefused(app, before, res, 400, 'assertion-malformed');
    }
  });

  test('a log line quoting a value with U+2065, U+E000, U+FDD0 or U+E0000 (an ALB kid) writes them as \\uXXXX', async () => {
    app.configure({ ...HEADERS, assertion: { preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ALB_ISSUER, jwksUrl: keys.pemBaseUrl } });
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const kid = `k${INVISIBLE.join('')}z`;
    const token = `${b64({ alg: 'ES256', kid, typ: 'JWT', signer: ARN })}.${b64({ iss: ALB_ISSUER, sub: 'mallory' })}.AAAA`;
    const mark = log.records().length;
    const before = await snapshot(app);
    await assertRefused(app, before, await page({ 'x-amzn-oidc-data': token }), 400, 'assertion-malformed');
    await log.waitFor(/refused \(assertion-malformed\)/);
    const records = log.records().slice(mark).join('');
    assert.ok(records.includes('k\\u2065\\ue000\\ufdd0\\udb40\\udc00z'), `the kid is not escaped in: ${JSON.stringify(records)}`);
    for (const c of INVISIBLE) assert.ok(!records.includes(c), `a raw ${hex(c)} in: ${JSON.stringify(records)}`);
  });
});

describe('R4-F4: the tag of a masked identity is keyed with the installation\'s secret', () => {
  test('a refusal row keeps the identity masked with the keyed tag, nowhere raw in the row; the tag is not the SHA-256 of the address', async () => {
    app.configure({ ...HEADERS, autoCreate: false });
    const rows = activityRows(() => app);
    const mark = await rows.lastId();
    const email = newEmail('nobody');
    const before = await snapshot(app);
    await assertRefused(app, before, await page({ 'Remote-User': email }), 403, 'unknown-user');
    const [row] = await rows.since(mark, { kind: 'refused', reason: 'unknown-user' });
    assert.ok(row, 'the refusal is recorded');
    assert.equal(row.identity, FIXTURE_MASK.identity(email));
    assert.ok(!row.identity!.endsWith(`#${createHash('sha256').update(email).digest('hex').slice(0, 6)}`), row.identity!);
    assert.ok(!JSON.stringify(row).includes(email.split('@')[0]), JSON.stringify(row));
  });
});
