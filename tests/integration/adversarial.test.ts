/**
 * The threat model (../shared/SECURITY.md T1–T9, T13–T15) tried against a
 * running Strapi. Every case asserts the status, that no session cookie was
 * set and that no admin user was created.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, rawRequest, request } from '../harness/http';
import { assertNoSession, userCount } from '../harness/assertions';

const SECRET = 'a-long-random-shared-secret-0123456789';
let app: TestStrapi;
let users = 0;
let rootToken = '';

before(async () => {
  app = await startStrapi();
  await app.createAdmin({ email: 'admin@corp.example', password: 'Sup3rSecret!pass' });
  await app.createAdmin({ email: 'kate@corp.example', roles: ['strapi-editor'] });
  const login = await request(app.origin, '/admin/login', { method: 'POST', body: { email: 'admin@corp.example', password: 'Sup3rSecret!pass' } });
  rootToken = login.json().data.token;
});
after(() => app?.stop());
beforeEach(async () => {
  // autoCreate on: any slip would show up as a new user row.
  app.configure({ autoCreate: true, trustedProxies: ['127.0.0.1/32'] });
  users = await userCount(app);
});

const noNewUser = async () => assert.equal(await userCount(app), users, 'an admin user was created');

describe('T1/T2: only the proxy may assert an identity, judged by the socket peer', () => {
  test('a client connecting from 127.0.0.2 with the header is refused', async () => {
    const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'admin@corp.example' }, localAddress: '127.0.0.2' });
    assertNoSession(res, 403);
    await noNewUser();
  });

  for (const [name, value] of [
    ['X-Forwarded-For', '127.0.0.1'],
    ['Forwarded', 'for=127.0.0.1;proto=https'],
    ['X-Real-IP', '127.0.0.1'],
    ['X-Forwarded-For', '127.0.0.2, 127.0.0.1'],
  ]) {
    test(`forged ${name}: ${value} does not make 127.0.0.2 trusted (server.proxy on)`, async () => {
      const app_ = app.strapi.server.app as { proxy: boolean };
      const previous = app_.proxy;
      app_.proxy = true;
      try {
        const res = await request(app.origin, '/remote-auth/login', {
          headers: { 'Remote-User': 'new.victim@corp.example', [name]: value, Accept: 'application/json' },
          localAddress: '127.0.0.2',
        });
        assertNoSession(res, 403);
        assert.equal(res.json().error.details.code, 'untrusted-peer');
      } finally {
        app_.proxy = previous;
      }
      await noNewUser();
    });
  }

  test('without the header, the untrusted client gets the normal login page', async () => {
    const res = await request(app.origin, '/admin', { headers: BROWSER, localAddress: '127.0.0.2' });
    assert.equal(res.status, 200);
  });
});

describe('shared secret', () => {
  beforeEach(() => app.configure({ autoCreate: true, trustedProxies: ['127.0.0.1/32'], sharedSecret: { header: 'X-Remote-Auth-Secret', value: SECRET } }));

  test('missing secret → 403', async () => {
    assertNoSession(await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'kate@corp.example' } }), 403);
    await noNewUser();
  });

  test('wrong secret (also a prefix, also longer) → 403', async () => {
    for (const wrong of ['nope', SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase()]) {
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'kate@corp.example', 'X-Remote-Auth-Secret': wrong } });
      assertNoSession(res, 403);
    }
    await noNewUser();
  });

  test('the secret sent twice → 403', async () => {
    const res = await request(app.origin, '/admin', {
      headers: ['Accept', 'text/html', 'Remote-User', 'kate@corp.example', 'X-Remote-Auth-Secret', SECRET, 'X-Remote-Auth-Secret', SECRET],
    });
    assertNoSession(res, 403);
  });

  test('right secret from the right peer → signed in', async () => {
    const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'kate@corp.example', 'X-Remote-Auth-Secret': SECRET } });
    assert.equal(res.status, 200);
    assert.ok(res.cookies.jwtToken);
  });

  test('the secret never appears in the log or the response', async () => {
    const lines: string[] = [];
    const log = app.strapi.log as unknown as Record<string, (...args: unknown[]) => void>;
    const originals = { warn: log.warn, info: log.info, error: log.error };
    for (const level of ['warn', 'info', 'error'] as const) log[level] = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    try {
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'kate@corp.example', 'X-Remote-Auth-Secret': `${SECRET}-wrong` } });
      assertNoSession(res, 403);
      assert.doesNotMatch(res.body, new RegExp(SECRET));
    } finally {
      Object.assign(log, originals);
    }
    assert.ok(lines.some((l) => l.includes('secret-mismatch') && l.includes('127.0.0.1')), lines.join('\n'));
    assert.ok(lines.every((l) => !l.includes(SECRET)), 'secret leaked to the log');
  });
});

describe('T4–T7: header hygiene', () => {
  const cases: Array<[string, string[]]> = [
    ['duplicate headers', ['Remote-User', 'kate@corp.example', 'Remote-User', 'admin@corp.example']],
    ['an underscore twin next to the header', ['Remote-User', 'kate@corp.example', 'Remote_User', 'admin@corp.example']],
    ['an underscore twin alone', ['Remote_User', 'admin@corp.example']],
    ['a case-and-underscore twin', ['REMOTE_user', 'admin@corp.example']],
    ['a comma (what joined duplicates look like)', ['Remote-User', 'kate@corp.example, admin@corp.example']],
    ['an over-long value (257 characters)', ['Remote-User', `${'a'.repeat(245)}@corp.example`]],
  ];
  for (const [label, headers] of cases) {
    test(`${label} → 400`, async () => {
      const res = await request(app.origin, '/admin', { headers: ['Accept', 'text/html', ...headers] });
      assertNoSession(res, 400);
      await noNewUser();
    });
  }

  test('the length cap is 256 inclusive: 256 characters pass the header check (and fail the e-mail check, 254 max)', async () => {
    const value = `${'b'.repeat(243)}@corp.example`;
    assert.equal(value.length, 256);
    const res = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': value } });
    assertNoSession(res, 403);
    assert.equal(res.json().error.details.code, 'invalid-identity');
    await noNewUser();
  });

  for (const [label, bytes] of [
    ['a NUL byte', 'kate@corp.example\u0000admin'],
    ['a bare carriage return', 'kate@corp.example\radmin'],
    ['a DEL character', 'kate@corp.example\u007f'],
    ['a vertical tab', 'kate@corp\u000b.example'],
  ]) {
    test(`control characters: ${label} → 400, whoever refuses it first (Node's parser or the plugin)`, async () => {
      const res = await rawRequest(
        app.port,
        `GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nRemote-User: ${bytes}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(res.status, 400, res.raw.slice(0, 200));
      assert.doesNotMatch(res.raw, /jwtToken=|strapi_admin_refresh=/);
      await noNewUser();
    });
  }

  test('Connection: Remote-User (hop-by-hop stripping trick) with no value is anonymous', async () => {
    const res = await rawRequest(app.port, 'GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nConnection: close, Remote-User\r\n\r\n');
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.raw, /jwtToken=/);
    await noNewUser();
  });
});

describe('T9: look-alike identities never reach an ASCII account', () => {
  const lookAlikes: Array<[string, string]> = [
    ['dotted capital I (UTF-8 bytes)', Buffer.from('admİn@corp.example', 'utf8').toString('latin1')],
    ['Kelvin sign (UTF-8 bytes)', Buffer.from('\u212Aate@corp.example', 'utf8').toString('latin1')],
    ['full-width letters (UTF-8 bytes)', Buffer.from('ａｄｍｉｎ@corp.example', 'utf8').toString('latin1')],
    ['latin-1 letter', 'k\u00e4te@corp.example'],
    ['trailing dot on the domain', 'admin@corp.example.'],
    ['inner space', 'admin @corp.example'],
  ];
  for (const [label, value] of lookAlikes) {
    test(`${label} → refused`, async () => {
      const res = await rawRequest(
        app.port,
        `GET /remote-auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nRemote-User: ${value}\r\nConnection: close\r\n\r\n`,
      );
      assert.ok(res.status === 403 || res.status === 400, `status ${res.status}`);
      assert.doesNotMatch(res.raw, /jwtToken=|strapi_admin_refresh=/);
      await noNewUser();
    });
  }
});

describe('T8: webhooks cannot carry the identity or the secret header', () => {
  beforeEach(() => app.configure({ trustedProxies: ['127.0.0.1/32'], sharedSecret: { header: 'X-Remote-Auth-Secret', value: SECRET } }));
  const webhook = (headers: Record<string, string>) => ({ name: 'hook', url: 'https://hooks.example.com/strapi', headers, events: ['entry.create'] });

  for (const name of ['Remote-User', 'remote_user', 'REMOTE-USER', 'X-Remote-Auth-Secret']) {
    test(`creating a webhook with header ${name} → 400`, async () => {
      const res = await request(app.origin, '/admin/webhooks', {
        method: 'POST',
        body: webhook({ [name]: 'admin@corp.example' }),
        headers: { Authorization: `Bearer ${rootToken}` },
      });
      assert.equal(res.status, 400, res.body);
      assert.match(res.json().error.message, /must not include/);
    });
  }

  test('an ordinary webhook is saved, and cannot be updated to add the header', async () => {
    const created = await request(app.origin, '/admin/webhooks', { method: 'POST', body: webhook({ Authorization: 'Bearer x' }), headers: { Authorization: `Bearer ${rootToken}` } });
    assert.equal(created.status, 201, created.body);
    const id = created.json().data.id;
    const updated = await request(app.origin, `/admin/webhooks/${id}`, {
      method: 'PUT',
      body: webhook({ 'Remote-User': 'admin@corp.example' }),
      headers: { Authorization: `Bearer ${rootToken}` },
    });
    assert.equal(updated.status, 400, updated.body);
  });
});
