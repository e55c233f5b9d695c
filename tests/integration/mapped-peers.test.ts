/**
 * T3: Strapi bound to an IPv6 socket sees IPv4 clients as "::ffff:a.b.c.d".
 * Those peers must be unwrapped and matched against IPv4 ranges — exactly,
 * in both directions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request } from '../harness/http';
import { assertRefused, snapshot } from '../harness/assertions';

/** An identity no account has: with autoCreate on, a bypass would create it. */
const fresh = (): string => `new.${randomBytes(5).toString('hex')}@corp.example`;

let app: TestStrapi;
before(async () => {
  app = await startStrapi({ env: { HOST: '::ffff:127.0.0.1' }, config: { trustedProxies: ['127.0.0.1/32'], autoCreate: true } });
  await app.createAdmin({ email: 'kate@corp.example', roles: ['strapi-editor'] });
});
after(() => app?.stop());

test('the socket really reports IPv4-mapped peers', () => {
  assert.equal((app.strapi.server.httpServer.address() as { family: string }).family, 'IPv6');
});

test('::ffff:127.0.0.1 matches the IPv4 entry 127.0.0.1/32', async () => {
  const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'kate@corp.example' } });
  assert.equal(res.status, 200);
  assert.ok(res.cookies.jwtToken);
});

test('::ffff:127.0.0.2 does not (fresh identity, and an existing account)', async () => {
  for (const identity of [fresh(), 'kate@corp.example']) {
    const before = await snapshot(app);
    const res = await request(app.origin, '/remote-auth/login', {
      headers: { Accept: 'application/json', 'Remote-User': identity },
      localAddress: '127.0.0.2',
    });
    await assertRefused(app, before, res, 403, 'untrusted-peer');
  }
});

test('an IPv4-mapped entry in trustedProxies is unwrapped the same way', async () => {
  app.configure({ trustedProxies: ['::ffff:127.0.0.2'], autoCreate: true });
  try {
    const trusted = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'kate@corp.example' }, localAddress: '127.0.0.2' });
    assert.ok(trusted.cookies.jwtToken);
    const before = await snapshot(app);
    const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': fresh() } });
    await assertRefused(app, before, res, 403, 'untrusted-peer');
  } finally {
    app.configure({ trustedProxies: ['127.0.0.1/32'], autoCreate: true });
  }
});
