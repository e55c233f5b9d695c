import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request } from '../harness/http';

let app: TestStrapi;
before(async () => {
  app = await startStrapi({ config: { autoCreate: true } });
});
after(() => app?.stop());

test('smoke', async () => {
  const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'jane@corp.example' } });
  console.log(res.status, res.setCookies, res.headers);
  assert.ok(res.cookies.jwtToken);
});
