/**
 * The threat model (../shared/SECURITY.md T1–T9, T13–T15, T22) tried against a
 * running Strapi. Every refusal is proven with assertRefused: the status and
 * refusal code, no session cookie, and no account, link or session changed.
 * Attacks use fresh identities with autoCreate on, so a bypass would create
 * a row; attacks on existing accounts prove the row unchanged.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, parseSetCookies, rawRequest, request, type TestResponse } from '../harness/http';
import { assertRefused, assertUnchanged, snapshot } from '../harness/assertions';

const SECRET = 'a-long-random-shared-secret-0123456789';
let app: TestStrapi;
let rootToken = '';

before(async () => {
  app = await startStrapi();
  await app.createAdmin({ email: 'admin@corp.example', password: 'Sup3rSecret!pass' });
  await app.createAdmin({ email: 'kate@corp.example', roles: ['strapi-editor'] });
  const login = await request(app.origin, '/admin/login', { method: 'POST', body: { email: 'admin@corp.example', password: 'Sup3rSecret!pass' } });
  rootToken = login.json().data.token;
});
after(() => app?.stop());
beforeEach(() => {
  // autoCreate on: any slip would show up as a new user row.
  app.configure({ autoCreate: true, trustedProxies: ['127.0.0.1/32'] });
});

/** An identity no account has: a bypass would create it. */
const fresh = (): string => `new.${randomBytes(5).toString('hex')}@corp.example`;

/** A raw HTTP exchange as a TestResponse, for requests Node's client would reorder or refuse to write. */
async function raw(text: string, localAddress?: string): Promise<TestResponse> {
  const { status, raw: response } = await rawRequest(app.port, text, localAddress);
  const split = response.indexOf('\r\n\r\n');
  const head = response.slice(0, split).split('\r\n').slice(1);
  const body = Buffer.from(response.slice(split + 4), 'latin1').toString('utf8');
  const headers: Record<string, string | string[]> = {};
  const setCookies: string[] = [];
  for (const line of head) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'set-cookie') setCookies.push(value);
    else headers[name] = value;
  }
  return { status, headers, setCookies, cookies: parseSetCookies(setCookies), body, json: () => JSON.parse(body) };
}

describe('T1/T2: only the proxy may assert an identity, judged by the socket peer', () => {
  test('a client connecting from 127.0.0.2 with the header is refused (fresh identity and an existing Super Admin)', async () => {
    for (const identity of [fresh(), 'admin@corp.example']) {
      const before = await snapshot(app);
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity }, localAddress: '127.0.0.2' });
      await assertRefused(app, before, res, 403, 'untrusted-peer');
    }
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
        const before = await snapshot(app);
        const res = await request(app.origin, '/remote-auth/login', {
          headers: { 'Remote-User': fresh(), [name]: value, Accept: 'application/json' },
          localAddress: '127.0.0.2',
        });
        await assertRefused(app, before, res, 403, 'untrusted-peer');
      } finally {
        app_.proxy = previous;
      }
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
    for (const identity of [fresh(), 'kate@corp.example']) {
      const before = await snapshot(app);
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity } });
      await assertRefused(app, before, res, 403, 'secret-missing');
    }
  });

  test('wrong secret (also a prefix, also longer) → 403', async () => {
    for (const wrong of ['nope', SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase()]) {
      const before = await snapshot(app);
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': fresh(), 'X-Remote-Auth-Secret': wrong } });
      await assertRefused(app, before, res, 403, 'secret-mismatch');
    }
  });

  test('the secret sent twice → 403', async () => {
    const before = await snapshot(app);
    const res = await request(app.origin, '/admin', {
      headers: ['Accept', 'text/html', 'Remote-User', fresh(), 'X-Remote-Auth-Secret', SECRET, 'X-Remote-Auth-Secret', SECRET],
    });
    await assertRefused(app, before, res, 403, 'secret-missing');
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
      const before = await snapshot(app);
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': fresh(), 'X-Remote-Auth-Secret': `${SECRET}-wrong` } });
      await assertRefused(app, before, res, 403, 'secret-mismatch');
      assert.doesNotMatch(res.body, new RegExp(SECRET));
    } finally {
      Object.assign(log, originals);
    }
    assert.ok(lines.some((l) => l.includes('secret-mismatch') && l.includes('127.0.0.1')), lines.join('\n'));
    assert.ok(lines.every((l) => !l.includes(SECRET)), 'secret leaked to the log');
  });
});

describe('T4–T7: header hygiene', () => {
  const cases: Array<[string, () => string[], string]> = [
    ['duplicate headers', () => ['Remote-User', fresh(), 'Remote-User', 'admin@corp.example'], 'duplicate-header'],
    ['duplicate fresh identities', () => ['Remote-User', fresh(), 'Remote-User', fresh()], 'duplicate-header'],
    ['an underscore twin next to the header', () => ['Remote-User', fresh(), 'Remote_User', 'admin@corp.example'], 'header-twin'],
    ['an underscore twin alone', () => ['Remote_User', fresh()], 'header-twin'],
    ['a case-and-underscore twin', () => ['REMOTE_user', fresh()], 'header-twin'],
    ['a comma (what joined duplicates look like)', () => ['Remote-User', `${fresh()}, admin@corp.example`], 'forbidden-character'],
    ['an over-long value (257 characters)', () => ['Remote-User', `${'a'.repeat(245)}@corp.example`], 'value-too-long'],
  ];
  for (const [label, headers, code] of cases) {
    test(`${label} → 400 ${code}`, async () => {
      for (const accept of ['text/html', 'application/json']) {
        const before = await snapshot(app);
        const path = accept === 'text/html' ? '/admin' : '/remote-auth/login';
        const res = await request(app.origin, path, { headers: ['Accept', accept, ...headers()] });
        await assertRefused(app, before, res, 400, code);
      }
    });
  }

  test('T22: a forged copy with the proxy-appended copy padded past Node\'s 1,000-line limit → 400 too-many-headers', async () => {
    const padding = Array.from({ length: 1100 }, (_, i) => `p${i}: 1\r\n`).join('');
    for (const path of ['/remote-auth/login', '/admin']) {
      const before = await snapshot(app);
      const res = await raw(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: ${path === '/admin' ? 'text/html' : 'application/json'}\r\n` +
          `Remote-User: ${fresh()}\r\n${padding}Remote-User: kate@corp.example\r\nConnection: close\r\n\r\n`,
      );
      await assertRefused(app, before, res, 400, 'too-many-headers');
    }
  });

  test('T22: under the limit, the same two copies are seen and refused as duplicates', async () => {
    const padding = Array.from({ length: 900 }, (_, i) => `p${i}: 1\r\n`).join('');
    const before = await snapshot(app);
    const res = await raw(
      `GET /remote-auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n` +
        `Remote-User: ${fresh()}\r\n${padding}Remote-User: kate@corp.example\r\nConnection: close\r\n\r\n`,
    );
    await assertRefused(app, before, res, 400, 'duplicate-header');
  });

  test('the length cap is 256 inclusive: 256 characters pass the header check (and fail the e-mail check, 254 max)', async () => {
    const value = `${'b'.repeat(243)}@corp.example`;
    assert.equal(value.length, 256);
    const before = await snapshot(app);
    const res = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': value } });
    await assertRefused(app, before, res, 403, 'invalid-identity');
  });

  for (const [label, bytes] of [
    ['a NUL byte', 'kate@corp.example\u0000admin'],
    ['a bare carriage return', 'kate@corp.example\radmin'],
    ['a DEL character', 'kate@corp.example\u007f'],
    ['a vertical tab', 'kate@corp\u000b.example'],
  ]) {
    test(`control characters: ${label} → 400, whoever refuses it first (Node's parser or the plugin)`, async () => {
      const before = await snapshot(app);
      const res = await raw(
        `GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nRemote-User: new.${bytes}\r\nConnection: close\r\n\r\n`,
      );
      // No code when Node's parser refused it before the plugin saw it.
      await assertRefused(app, before, res, 400);
    });
  }

  test('Connection: Remote-User (hop-by-hop stripping trick) with no value is anonymous', async () => {
    const before = await snapshot(app);
    const res = await raw('GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nConnection: close, Remote-User\r\n\r\n');
    assert.equal(res.status, 200);
    assert.equal(res.cookies.jwtToken, undefined);
    await assertUnchanged(app, before);
  });
});

describe('T9: look-alike identities never reach an ASCII account', () => {
  const lookAlikes: Array<[string, string, string]> = [
    ['dotted capital I (UTF-8 bytes)', Buffer.from('admİn@corp.example', 'utf8').toString('latin1'), 'non-ascii-identity'],
    ['Kelvin sign (UTF-8 bytes)', Buffer.from('\u212Aate@corp.example', 'utf8').toString('latin1'), 'non-ascii-identity'],
    ['full-width letters (UTF-8 bytes)', Buffer.from('ａｄｍｉｎ@corp.example', 'utf8').toString('latin1'), 'non-ascii-identity'],
    ['latin-1 letter', 'k\u00e4te@corp.example', 'non-ascii-identity'],
    ['trailing dot on the domain', 'admin@corp.example.', 'invalid-identity'],
    ['inner space', 'admin @corp.example', 'invalid-identity'],
  ];
  for (const [label, value, code] of lookAlikes) {
    test(`${label} → refused (${code})`, async () => {
      const before = await snapshot(app);
      const res = await raw(
        `GET /remote-auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nRemote-User: ${value}\r\nConnection: close\r\n\r\n`,
      );
      await assertRefused(app, before, res, 403, code);
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
