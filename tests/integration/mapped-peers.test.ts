/**
 * T3: Strapi bound to an IPv6 socket sees IPv4 clients as "::ffff:a.b.c.d".
 * Those peers must be unwrapped and matched against IPv4 ranges — exactly,
 * in both directions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request } from '../harness/http';
import { assertNoSession, userCount } from '../harness/assertions';

let app: TestStrapi;
before(async () => {
  app = await startStrapi({ env: { HOST: '::ffff:127.0.0.1' }, config: { trustedProxies: ['127.0.0.1/32'] } });
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

test('::ffff:127.0.0.2 does not', async () => {
  const before = await userCount(app);
  const res = await request(app.origin, '/remote-auth/login', {
    headers: { Accept: 'application/json', 'Remote-User': 'kate@corp.example' },
    localAddress: '127.0.0.2',
  });
  assertNoSession(res, 403);
  assert.match(res.json().error.details.code, /untrusted-peer/);
  assert.equal(await userCount(app), before);
});

test('an IPv4-mapped entry in trustedProxies is unwrapped the same way', async () => {
  app.configure({ trustedProxies: ['::ffff:127.0.0.2'] });
  const trusted = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'kate@corp.example' }, localAddress: '127.0.0.2' });
  assert.ok(trusted.cookies.jwtToken);
  assertNoSession(await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'kate@corp.example' } }), 403);
});
