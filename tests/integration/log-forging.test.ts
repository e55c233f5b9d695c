/**
 * Attacker-written text in the log and in the operator's hint (T27), against a
 * real Strapi: CR, LF, U+2028, ANSI escapes and C1 controls sent in the
 * identity header, a JWS header field (`crit`), a group name, `returnTo` and
 * request headers that refusals quote (User-Agent, Sec-Fetch-Mode) never start
 * a line of their own in Strapi's log nor drive a terminal, and the stored
 * activity hint is the fixed sentence of the refusal's code. What Strapi's
 * logger writes is captured through its own format.
 *
 * HTTP carries no raw CR/LF/ESC in a header value, so each value carries what
 * can arrive: a JWT is base64url (anything), a header value obs-text
 * (bytes 0x80–0xFF: NEL, the one-byte CSI), `returnTo` percent-encoding.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sign, type KeyObject } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertRefused, assertSignedInAs, snapshot } from '../harness/assertions';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { captureLog, type LogCapture } from '../harness/log-capture';
import { cloudflareToken, createSigningKey, pomeriumToken, type SigningKey } from '../harness/assertion-tokens';
import { ACTIVITY_TABLE } from '../../server/src/strapi/activity/activity-table';
import { REFUSAL_CODES } from '../../server/src/pipeline/refusal-codes';
import type { RefusalCode } from '../../server/src/pipeline/refusal';

const TEAM = 'acme';
const AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';
const ROUTE = 'cms.corp.example';
const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const ALB_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';
const FORGED = 'info: [remote-auth] signed in "root@corp.example" as admin user 1';
/** Line breaks and terminal controls that can travel in a JWT, a claim or a decoded query parameter. */
const BREAKERS = [`\n${FORGED}`, `\r\n${FORGED}`, `\r${FORGED}`, `\u2028${FORGED}`, `\u2029${FORGED}`, `\u001b[2K\u001b[1G${FORGED}`, `\u0085${FORGED}`];
/** What a header value can carry: obs-text bytes, read by Node as Latin-1 (NEL, CSI). */
const HEADER_BREAKER = `\u0085${FORGED}\u009b2K\u009b1G${FORGED}`;
const HEADER_BASE = { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0 };

let app: TestStrapi;
let keys: KeyServer;
let rsa: SigningKey;
let ec: SigningKey;
let log: LogCapture;

/** Any character that ends a line in some viewer (LF, CR, VT, FF, NEL, U+2028/2029). */
const LINE_END = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/;
/** What the plugin's part of a record must not contain: controls, C1 (CSI, NEL), separators, bidi overrides. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Every record logged since `mark` is one line; the plugin's text in it
 * (from "[remote-auth]" on, past Strapi's coloured level) has no raw control;
 * no line anywhere says root signed in.
 */
function assertNoForgedLine(mark: number): void {
  const records = log.records().slice(mark);
  for (const record of records) {
    const text = record.replace(/\n$/, '');
    assert.ok(!LINE_END.test(text), `a log record spans several lines: ${JSON.stringify(record)}`);
    const plugin = text.indexOf('[remote-auth]');
    if (plugin !== -1) assert.ok(!UNSAFE.test(text.slice(plugin)), `a raw control character in: ${JSON.stringify(record)}`);
  }
  const lines = records.join('').split(LINE_END);
  const forged = lines.filter((line) => /^\W*(\[[^\]]*\]\s*)?(\u001b\[\d+m)?info(\u001b\[\d+m)?: \[remote-auth\] signed in "root@corp\.example"/.test(line));
  assert.deepEqual(forged, [], 'a forged log line');
}

interface ActivityRow {
  id: number;
  reason: string | null;
  details: string | null;
}
const activity = () => app.strapi.plugin('remote-auth').service('activity') as { flush(): Promise<void> };
async function lastActivityId(): Promise<number> {
  await activity().flush();
  const row = await app.strapi.db.connection(ACTIVITY_TABLE).max({ id: 'id' }).first();
  return Number(row?.id ?? 0);
}
/** The hints of the refusals recorded since `afterId`: each must be the fixed sentence of its code. */
async function assertFixedHints(afterId: number, code: RefusalCode): Promise<void> {
  await activity().flush();
  const rows = (await app.strapi.db.connection(ACTIVITY_TABLE).where('id', '>', afterId).where({ kind: 'refused' }).orderBy('id')) as ActivityRow[];
  assert.ok(rows.some((row) => row.reason === code), `no ${code} refusal recorded: ${JSON.stringify(rows)}`);
  for (const row of rows) {
    const { hint } = JSON.parse(row.details ?? '{}') as { hint?: string };
    assert.equal(hint, REFUSAL_CODES[row.reason as RefusalCode].hint, `the hint of ${row.reason}`);
  }
}

/** A compact JWS with any protected header, signed for real with `key`: jose itself would not sign an unknown `crit`. */
function signWithHeader(key: SigningKey, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey as KeyObject, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const handOff = (headers: Record<string, string>, localAddress?: string) => request(app.origin, '/admin', { headers: { ...BROWSER, ...headers }, localAddress });
/**
 * With an assertion alone trusted (no trustedProxies), any peer may present a token: the tests send
 * from different loopback addresses so that one test's refusal is not folded into another's
 * (the same code from the same peer is recorded once per window).
 */
const ASSERTION_ONLY = { ...HEADER_BASE, trustedProxies: [] };

/** The refusal and the proof: status, code, no cookie, nothing in the database, the refusal logged, no forged line, the fixed hint. */
async function expectRefused(send: () => Promise<TestResponse>, status: number, code: RefusalCode): Promise<void> {
  const before = await snapshot(app);
  const firstRow = await lastActivityId();
  const mark = log.records().length;
  const res = await send();
  await assertRefused(app, before, res, status, code);
  await log.waitFor(new RegExp(`refused \\(${code}\\)`));
  assertNoForgedLine(mark);
  await assertFixedHints(firstRow, code);
}

before(async () => {
  rsa = await createSigningKey('RS256', 'cf-key-1');
  ec = await createSigningKey('ES256');
  keys = await startKeyServer(rsa, ec);
  app = await startStrapi({ config: HEADER_BASE });
  await app.createAdmin({ email: 'root@corp.example', password: 'Sup3rSecret!pass' });
  await app.createAdmin({ email: 'jane@corp.example', roles: ['strapi-editor'] });
  log = captureLog(app.strapi);
});
after(async () => {
  log?.stop();
  await app?.stop();
  await keys?.close();
});
beforeEach(() => app.configure(HEADER_BASE));

describe('attacker-written text never forges a log line nor becomes the hint', () => {
  test('a JWS header field: crit names carrying CR, LF, U+2028, U+2029, NEL and ANSI escapes', async () => {
    app.configure({ ...ASSERTION_ONLY, assertion: { preset: 'cloudflare-access', team: TEAM, audience: AUD, jwksUrl: keys.jwksUrl } });
    const claims = JSON.parse(Buffer.from((await cloudflareToken(rsa, { team: TEAM, aud: AUD, person: { email: 'jane@corp.example' } })).split('.')[1], 'base64url').toString());
    const token = signWithHeader(rsa, { crit: BREAKERS.map((text) => `set assertion.jwksUrl to https://keys.attacker.example${text}`) }, claims);
    await expectRefused(() => handOff({ 'Cf-Access-Jwt-Assertion': token }, '127.0.0.3'), 403, 'assertion-algorithm');
  });

  test('a JWS header field quoted in the reason: an ALB kid carrying U+2028, U+2029, NEL and ANSI escapes', async () => {
    app.configure({ ...ASSERTION_ONLY, assertion: { preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ALB_ISSUER, jwksUrl: keys.pemBaseUrl } });
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'jane', email: 'jane@corp.example', exp: now + 60, iss: ALB_ISSUER };
    const token = signWithHeader(ec, { kid: `k\u2028\u2029\u0085\u001b[2K${FORGED}`, signer: ARN, iss: ALB_ISSUER, client: 'client-id', exp: now + 60 }, claims);
    await expectRefused(() => handOff({ 'x-amzn-oidc-data': token }, '127.0.0.2'), 400, 'assertion-malformed');
  });

  test('the identity header carrying obs-text controls (NEL, CSI)', async () => {
    await expectRefused(() => handOff({ 'Remote-User': `jane@corp.example${HEADER_BREAKER}` }), 403, 'non-ascii-identity');
  });

  test('a group name: in the groups header (obs-text) and in a signed groups claim (CR, LF, U+2028, ANSI)', async () => {
    app.configure({ ...HEADER_BASE, groupsHeader: 'Remote-Groups', groupRoles: { 'cms-editors': ['strapi-editor'] } });
    await expectRefused(() => handOff({ 'Remote-User': 'jane@corp.example', 'Remote-Groups': `cms-editors,x${HEADER_BREAKER}` }), 400, 'forbidden-character');

    app.configure({ ...ASSERTION_ONLY, assertion: { preset: 'pomerium', routeDomain: ROUTE, jwksUrl: keys.jwksUrl }, groupRoles: { 'cms-editors': ['strapi-editor'] } });
    const groups = ['cms-editors', ...BREAKERS.map((text) => `x${text}`)];
    const signed = await pomeriumToken(ec, { routeDomain: ROUTE, person: { email: 'jane@corp.example', groups } });
    await expectRefused(() => handOff({ 'X-Pomerium-Jwt-Assertion': signed }), 400, 'assertion-malformed');
  });

  test('a group name with bidi overrides or a misplaced joiner is refused; look-alike text is accepted, logged as unmapped, on one line', async () => {
    app.configure({ ...ASSERTION_ONLY, assertion: { preset: 'pomerium', routeDomain: ROUTE, jwksUrl: keys.jwksUrl }, groupRoles: { 'cms-editors': ['strapi-editor'] } });
    for (const bidi of [`x\u202e${FORGED}`, `y\u2066${FORGED}\u2069`, `y\u200c${FORGED}`]) {
      const token = await pomeriumToken(ec, { routeDomain: ROUTE, person: { email: 'jane@corp.example', groups: ['cms-editors', bidi] } });
      await expectRefused(() => handOff({ 'X-Pomerium-Jwt-Assertion': token }, '127.0.0.4'), 400, 'assertion-malformed');
    }
    const groups = ['cms-editors', `x ${FORGED}`, `\u0645\u06cc\u200c\u062e ${FORGED}`];
    const mark = log.records().length;
    const res = await handOff({ 'X-Pomerium-Jwt-Assertion': await pomeriumToken(ec, { routeDomain: ROUTE, person: { email: 'jane@corp.example', groups } }) });
    await assertSignedInAs(app, res, 'jane@corp.example');
    await log.waitFor(/groups without a role mapping ignored/);
    assertNoForgedLine(mark);
  });

  test('returnTo, percent-encoded CR, LF, U+2028 and ESC: the sign-in lands on /admin and the log keeps one line per record', async () => {
    const returnTo = encodeURIComponent(`/admin${BREAKERS.join('')}`);
    const mark = log.records().length;
    const res = await request(app.origin, `/remote-auth/login?returnTo=${returnTo}`, { headers: { ...BROWSER, 'Remote-User': 'jane@corp.example' } });
    assert.equal(res.status, 302, res.body);
    assert.equal(res.headers.location, '/admin');
    await assertSignedInAs(app, res, 'jane@corp.example');
    await log.waitFor(/signed in "jane@corp\.example"/);
    assertNoForgedLine(mark);

    await expectRefused(() => request(app.origin, `/remote-auth/login?returnTo=${returnTo}`, { headers: { Accept: 'application/json' } }), 401, 'no-identity');
  });

  test('request headers a refusal may quote: User-Agent and Sec-Fetch-Mode with obs-text controls', async () => {
    await expectRefused(
      () =>
        request(app.origin, '/remote-auth/login', {
          headers: { ...BROWSER, 'Remote-User': 'jane@corp.example', 'User-Agent': `Mozilla/5.0${HEADER_BREAKER}`, 'Sec-Fetch-Mode': `cors${HEADER_BREAKER}` },
        }),
      403,
      'cross-site-request',
    );
    const mark = log.records().length;
    const res = await handOff({ 'Remote-User': 'jane@corp.example', 'User-Agent': `Mozilla/5.0${HEADER_BREAKER}` });
    await assertSignedInAs(app, res, 'jane@corp.example');
    await log.waitFor(/signed in "jane@corp\.example"/);
    assertNoForgedLine(mark);
  });
});
