/**
 * Strapi's own admin auth events for sessions this plugin starts (issue 20,
 * item 7), heard on a real Strapi's eventHub as an audit log or an
 * `admin.auth.events.onConnectionSuccess` handler hears them: the hand-off,
 * the explicit sign-in step and strict mode's first header-authenticated
 * request each emit one `admin.auth.success` with `provider: 'remote-auth'`
 * and the user as Strapi sanitizes it (no password hash); a refusal emits
 * nothing; logout of a plugin session is Strapi's own single `admin.logout`.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, cookieHeader, request } from '../harness/http';
import { passwordLogin } from '../harness/assertions';

const PASSWORD = 'Sup3rSecret!pass';
const BASE = { trustedProxies: ['127.0.0.1/32'], autoCreate: false };
const EVENTS = ['admin.auth.success', 'admin.auth.error', 'admin.logout'] as const;

interface Heard {
  readonly event: string;
  readonly payload: { user?: Record<string, unknown>; provider?: string };
}

let app: TestStrapi;
let heard: Heard[] = [];
let rootId = 0;

const handOff = (identity: string) => request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity } });

/** The events heard so far, polled until `expected` arrived (with a deadline): Strapi calls listeners before the response is sent, so this only bounds a late one. */
async function settled(expected: number): Promise<Heard[]> {
  const deadline = Date.now() + 2_000;
  while (heard.length < expected && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  return heard;
}

function assertRemoteAuthSuccess(event: Heard, userId: number): void {
  assert.equal(event.event, 'admin.auth.success');
  assert.equal(event.payload.provider, 'remote-auth');
  const user = event.payload.user!;
  assert.equal(user.id, userId);
  assert.equal(user.email, 'root@corp.example');
  for (const secret of ['password', 'resetPasswordToken', 'registrationToken']) assert.ok(!(secret in user), `the payload's user carries ${secret}`);
  assert.ok(!JSON.stringify(event.payload).includes('$2'), 'no password hash anywhere in the payload');
}

before(async () => {
  app = await startStrapi({ config: BASE });
  rootId = (await app.createAdmin({ email: 'root@corp.example', password: PASSWORD })).id;
  for (const event of EVENTS) {
    app.strapi.eventHub.on(event, async (payload: Heard['payload']) => {
      heard.push({ event, payload });
    });
  }
});
after(() => app?.stop());
beforeEach(() => {
  app.configure(BASE);
  heard = [];
});

describe('admin.auth.success with provider "remote-auth"', () => {
  test('the hand-off on the admin page', async () => {
    const res = await handOff('root@corp.example');
    assert.equal(res.status, 200, res.body);
    const events = await settled(1);
    assert.equal(events.length, 1, JSON.stringify(events));
    assertRemoteAuthSuccess(events[0], rootId);
    assert.deepEqual((events[0].payload.user!.roles as Array<{ code: string }>).map((role) => role.code), ['strapi-super-admin']);
  });

  test('the explicit sign-in step', async () => {
    const res = await request(app.origin, '/remote-auth/login?returnTo=/admin', { headers: { ...BROWSER, 'Remote-User': 'root@corp.example' } });
    assert.equal(res.status, 302, res.body);
    const events = await settled(1);
    assert.equal(events.length, 1, JSON.stringify(events));
    assertRemoteAuthSuccess(events[0], rootId);
  });

  test("strict mode: the first header-authenticated request of a session, not every request", async () => {
    app.configure({ ...BASE, mode: 'strict' });
    for (let i = 0; i < 3; i++) {
      const res = await request(app.origin, '/admin/users/me', { headers: { Accept: 'application/json', 'Remote-User': 'root@corp.example' } });
      assert.equal(res.status, 200, res.body);
    }
    const events = await settled(1);
    assert.equal(events.length, 1, JSON.stringify(events));
    assertRemoteAuthSuccess(events[0], rootId);
  });

  test('a sign-in that changes the account (its e-mail from the attribute header): the event carries the account as it is now', async () => {
    app.configure({ ...BASE, userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email', autoCreate: true });
    const who = `moving${process.pid}`;
    const signIn = (email: string) => request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': who, 'Remote-Email': email } });
    assert.equal((await signIn(`${who}.old@corp.example`)).status, 200);
    await settled(1);
    heard = [];
    assert.equal((await signIn(`${who}.new@corp.example`)).status, 200);
    const events = await settled(1);
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0].payload.user!.email, `${who}.new@corp.example`);
  });

  test("Strapi's password login still emits its own, with provider \"local\"", async () => {
    app.configure({ ...BASE, allowPasswordLogin: true });
    assert.equal((await passwordLogin(app, 'root@corp.example', PASSWORD)).status, 200);
    const events = await settled(1);
    assert.deepEqual(events.map((e) => [e.event, e.payload.provider]), [['admin.auth.success', 'local']]);
  });
});

describe('no event of ours', () => {
  test('a refusal emits nothing', async () => {
    assert.equal((await handOff('nobody@corp.example')).status, 403);
    assert.equal((await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'root@corp.example' }, localAddress: '127.0.0.2' })).status, 403);
    assert.deepEqual(await settled(0), [], 'listeners run before the response is sent: nothing late to wait for');
  });

  test('logout of a plugin session: exactly one admin.logout (Strapi\'s), with the sanitized user', async () => {
    const signedIn = await handOff('root@corp.example');
    assert.equal(signedIn.status, 200);
    heard = [];
    const logout = await request(app.origin, '/admin/logout', {
      method: 'POST',
      body: {},
      headers: { Authorization: `Bearer ${signedIn.cookies.jwtToken}`, Cookie: cookieHeader(signedIn.cookies), 'Remote-User': 'root@corp.example' },
    });
    assert.equal(logout.status, 200, logout.body);
    const events = await settled(1);
    assert.deepEqual(events.map((e) => e.event), ['admin.logout']);
    assert.equal(events[0].payload.user!.id, rootId);
    assert.ok(!('password' in events[0].payload.user!));
  });
});
