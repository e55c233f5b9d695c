/**
 * Activity budgets against a real Strapi (issue 20, T26): untrusted traffic
 * cannot spend the rows of what matters. A flood from peers outside
 * trustedProxies (250 /24 networks) leaves the listed proxy's refusals, the
 * sign-ins and the account creations their own rows; with only an assertion
 * trusted (trustedProxies: []) every refusal folds by network whatever its
 * reason, so 60 garbage tokens from one /24 are one row that still shows the
 * forged-signature attempt that followed them. Untrusted clients are other
 * loopback source addresses. Rows are read after the recorder's flush.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request } from '../harness/http';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { cloudflareToken, createSigningKey, type SigningKey } from '../harness/assertion-tokens';
import { holdPluginClockStill } from '../harness/plugin-clock';
import { activityRows, type ActivityRowRead } from '../harness/activity-rows';
import { REFUSAL_ROWS_PER_WINDOW, SUPPRESSED_REASON } from '../../server/src/strapi/activity/activity-log';

const TEAM = 'acme';
const AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';
const HEADER_MODE = { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0 };

let app: TestStrapi;
const reader = activityRows(() => app);
const { lastId, details } = reader;
const rowsSince = reader.since;
type Row = ActivityRowRead;
let keys: KeyServer;
let provider: SigningKey;
let forger: SigningKey;



const page = (headers: Record<string, string>, localAddress?: string) => request(app.origin, '/admin', { headers: { ...BROWSER, ...headers }, localAddress });

before(async () => {
  provider = await createSigningKey('RS256', 'cf-key-1');
  forger = await createSigningKey('RS256', 'cf-key-1'); // same kid, another key: a forged signature
  keys = await startKeyServer(provider);
  app = await startStrapi({ config: HEADER_MODE });
  await app.createAdmin({ email: 'root@corp.example', roles: ['strapi-super-admin'] });
  await app.createAdmin({ email: 'editor@corp.example', roles: ['strapi-editor'] });
  await app.createAdmin({ email: 'blocked@corp.example', roles: ['strapi-editor'], blocked: true });
});
after(async () => {
  await app?.stop();
  await keys?.close();
});

// First: the flood test below fills the window's cap for 10 s.
describe('only an assertion trusted (trustedProxies: [])', () => {
  test('60 garbage tokens from 60 addresses of one /24 are one row, which shows the forged-signature attempt that followed', async (t) => {
    holdPluginClockStill(app.strapi, t); // one 10-s window of the activity log, however slow the machine is
    app.configure({ assertion: { preset: 'cloudflare-access', team: TEAM, audience: AUD, jwksUrl: keys.jwksUrl }, trustedProxies: [] });
    const start = await lastId();
    for (let host = 1; host <= 60; host++) {
      assert.equal((await page({ 'Cf-Access-Jwt-Assertion': `garbage-${host}` }, `127.0.9.${host}`)).status, 400);
    }
    const forged = await cloudflareToken(forger, { team: TEAM, aud: AUD, person: { email: 'root@corp.example' } });
    assert.equal((await page({ 'Cf-Access-Jwt-Assertion': forged }, '127.0.9.61')).status, 403);

    const rows = (await rowsSince(start)).filter((row) => row.kind === 'refused');
    const fromNetwork = rows.filter((row) => row.peer?.startsWith('127.0.9.'));
    assert.equal(fromNetwork.length, 1, JSON.stringify(rows));
    const [fold] = fromNetwork;
    assert.equal(fold.reason, 'assertion-signature', 'the row shows the latest attempt');
    assert.equal(fold.peer, '127.0.9.61');
    assert.deepEqual(
      { network: details(fold).network, refusals: details(fold).refusals, reasons: details(fold).reasons },
      { network: '127.0.9.0/24', refusals: 61, reasons: { 'assertion-malformed': 60, 'assertion-signature': 1 } },
    );
    assert.match(details(fold).hint, /signature/);
    assert.equal(rows.filter((row) => row.reason === SUPPRESSED_REASON).length, 0, 'one network is far below the cap');
  });
});

describe('a flood from peers outside trustedProxies', () => {
  test("250 /24 networks fill the cap; the listed proxy's refusal, the sign-in and the account creation that follow still get their rows", async (t) => {
    holdPluginClockStill(app.strapi, t); // one 10-s window of the activity log, however slow the machine is
    app.configure(HEADER_MODE);
    const start = await lastId();
    for (let net = 1; net <= 250; net++) {
      assert.equal((await page({ 'Remote-User': 'root@corp.example' }, `127.0.${net}.2`)).status, 403);
    }
    assert.equal((await page({ 'Remote-User': 'blocked@corp.example' })).status, 403);
    assert.equal((await page({ 'Remote-User': 'editor@corp.example' })).status, 200);
    assert.equal((await page({ 'Remote-User': 'newcomer@corp.example' })).status, 200);

    const rows = await rowsSince(start);
    const blocked = rows.filter((row) => row.reason === 'blocked-user');
    assert.equal(blocked.length, 1, 'the trusted proxy refusal has a row of its own');
    assert.equal(blocked[0].peer, '127.0.0.1');
    assert.match(blocked[0].identity ?? '', /^bl\*+@corp\.example #[0-9a-f]{6}$/);
    const users = await app.adminUsers();
    const idOf = (email: string) => users.find((user) => user.email === email)!.id;
    const signIns = rows.filter((row) => row.kind === 'sign-in').map((row) => Number(row.user_id));
    assert.deepEqual(signIns, [idOf('editor@corp.example'), idOf('newcomer@corp.example')]);
    assert.deepEqual(rows.filter((row) => row.kind === 'created').map((row) => Number(row.user_id)), [idOf('newcomer@corp.example')]);

    const untrusted = rows.filter((row) => row.reason === 'untrusted-peer');
    const summaries = rows.filter((row) => row.reason === SUPPRESSED_REASON);
    assert.ok(untrusted.length <= REFUSAL_ROWS_PER_WINDOW, `${untrusted.length} rows`);
    assert.ok(summaries.length >= 1, 'the refusals past the cap are counted');
    const folded = untrusted.reduce((sum, row) => sum + (details(row).refusals as number), 0);
    const counted = summaries.reduce((sum, row) => sum + (details(row).suppressed as number), 0);
    assert.equal(folded + counted, 250, 'every untrusted refusal is in a fold or counted');
    assert.equal(details(summaries.at(-1)!).latest.peer, '127.0.250.2', 'the summary keeps the latest attempt');
  });
});
