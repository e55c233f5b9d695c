/**
 * One line of the README's compatibility table for the app the harness boots:
 * boot time, one hand-off (Remote-User → admin session → /admin/users/me) and
 * one trade of the refresh cookie at /admin/access-token.
 *
 *   REMOTE_AUTH_FIXTURE=tests/compat/strapi-5.24.1 npx tsx tests/compat/measure.ts
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FIXTURE_APP, startStrapi } from '../harness/strapi';
import { BROWSER, request } from '../harness/http';

async function main(): Promise<void> {
  const version = (createRequire(join(FIXTURE_APP, 'package.json'))('@strapi/strapi/package.json') as { version: string }).version;
  const started = Date.now();
  const app = await startStrapi({ config: { autoCreate: true } });
  const boot = (Date.now() - started) / 1000;
  try {
    const handOff = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'measure@corp.example' } });
    const token = handOff.cookies.jwtToken;
    const me = await request(app.origin, '/admin/users/me', { headers: { Authorization: `Bearer ${token}` } });
    const refresh = await request(app.origin, '/admin/access-token', {
      method: 'POST',
      headers: { Cookie: `strapi_admin_refresh=${handOff.cookies.strapi_admin_refresh}`, 'Content-Type': 'application/json', Origin: app.origin },
      body: {},
    });
    const ok = handOff.status === 200 && me.status === 200 && me.json().data.email === 'measure@corp.example' && refresh.status === 200;
    console.log(JSON.stringify({ strapi: version, node: process.versions.node, bootSeconds: boot, handOff: handOff.status, me: me.status, accessToken: refresh.status, ok }));
    if (!ok) process.exitCode = 1;
  } finally {
    await app.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
