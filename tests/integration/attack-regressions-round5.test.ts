/**
 * Regressions of the fifth attack pass, against a running Strapi.
 *
 * - R5-G1: Strapi 5.54's admin API tokens act as their owner (ctx.state.user) with the narrower
 *   ability they were given. A token a Super Admin scoped to "remote-auth settings: read, update"
 *   passed the plugin's Super-Admin-only checks as its owner: it mapped every group to Super Admin
 *   and turned on Super Admin mapping; a token scoped to "sessions: read, revoke" ran the
 *   deactivation job. What only a Super Admin may do, no token does now: the settings stay as
 *   they were, the job does not run.
 * Not in test:compat: Strapi 5.24.1 has no admin tokens.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { request } from '../harness/http';
import { passwordLogin } from '../harness/assertions';

const PASSWORD = 'Sup3rSecret!pass';
const JSON_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/json' };
let app: TestStrapi;
let root = '';

const call = (bearer: string, method: string, path: string, body?: unknown, localAddress?: string) =>
  request(app.origin, path, { method, body, headers: { ...JSON_HEADERS, Authorization: `Bearer ${bearer}` }, localAddress });

/** An admin token owned by the Super Admin root, with only these permissions. */
async function scopedToken(name: string, actions: string[]): Promise<string> {
  const adminPermissions = actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] }));
  const res = await call(root, 'POST', '/admin/admin-tokens', { name, description: 'scoped', lifespan: null, adminPermissions });
  assert.equal(res.status, 201, res.body);
  return res.json().data.accessKey as string;
}

before(async () => {
  app = await startStrapi({ config: { trustedProxies: ['127.0.0.1/32'], autoCreate: true } });
  await app.createAdmin({ email: 'root@corp.example', password: PASSWORD, roles: ['strapi-super-admin'] });
  root = (await passwordLogin(app, 'root@corp.example', PASSWORD)).json().data.token as string;
});
after(() => app?.stop());

describe('R5-G1: an admin token never passes for its Super Admin owner', () => {
  test('a token scoped to the settings permissions may not map groups to Super Admin; the stored settings stay as they were', async () => {
    const token = await scopedToken('settings-only', ['plugin::remote-auth.settings.read', 'plugin::remote-auth.settings.update']);
    const stored = () => app.strapi.plugin('remote-auth').service('settings').storedValues();
    const before = await stored();
    const current = (await call(root, 'GET', '/remote-auth/settings')).json().data.settings;
    const escalation = { ...current, allowSuperAdminMapping: true, groupsHeader: 'X-Any-Group', groupRoles: { '*': ['strapi-super-admin'] } };
    const res = await call(token, 'PUT', '/remote-auth/settings', { settings: escalation }, '127.0.0.2');
    assert.equal(res.status, 403, res.body);
    assert.deepEqual(await stored(), before, 'nothing stored');
    // The same change by the Super Admin in person is a Super Admin's to make (the check is not just closed).
    const own = await call(root, 'PUT', '/remote-auth/settings', { settings: { ...current, groupsHeader: 'X-Groups' } });
    assert.equal(own.status, 200, own.body);
  });

  test('a token scoped to the sessions permissions may not run the deactivation job', async () => {
    const token = await scopedToken('sessions-only', ['plugin::remote-auth.sessions.read', 'plugin::remote-auth.sessions.revoke']);
    const res = await call(token, 'POST', '/remote-auth/deprovisioning/run', undefined, '127.0.0.2');
    assert.equal(res.status, 403, res.body);
    assert.equal((await call(root, 'POST', '/remote-auth/deprovisioning/run')).status, 200, 'the Super Admin in person may');
  });
});
