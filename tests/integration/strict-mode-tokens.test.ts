/**
 * Strict mode and lasting credentials: a single-sign-on session may not create, regenerate or read
 * the key of an API token or a transfer token (T12), while password sessions and persistent mode
 * keep doing so. Not in test:compat: it uses Strapi 5.54's admin tokens (and the api-token `kind`
 * column), which Strapi 5.24.1 does not have.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { passwordLogin } from '../harness/assertions';

const PASSWORD = 'Sup3rSecret!pass';
let app: TestStrapi;

before(async () => {
  app = await startStrapi({ config: { mode: 'strict' } });
  await app.createAdmin({ email: 'root@corp.example', password: PASSWORD });
});
after(() => app?.stop());
beforeEach(() => app.configure({ mode: 'strict' }));

const handOff = (identity: string) => request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity } });
const api = (path: string, headers: Record<string, string>, method = 'GET', body?: unknown) =>
  request(app.origin, path, { method, body, headers: { Accept: 'application/json', ...headers } });
const bearer = (res: TestResponse) => ({ Authorization: `Bearer ${res.cookies.jwtToken}` });

describe('strict mode: a single-sign-on session cannot mint or read an API token or a transfer token either', () => {
  const same = () => ({ 'Content-Type': 'application/json', Origin: app.origin, 'Sec-Fetch-Site': 'same-origin' });
  let n = 0;
  const name = (prefix: string) => `${prefix}-${process.pid}-${++n}`;
  const apiTokenRow = (where: Record<string, unknown>) =>
    app.strapi.db.query('admin::api-token').findOne({ where, select: ['id', 'name', 'accessKey', 'kind'] });
  const transferTokenRow = (where: Record<string, unknown>) =>
    app.strapi.db.query('admin::transfer-token').findOne({ where, select: ['id', 'name', 'accessKey'] });
  const apiTokenBody = (tokenName: string) => ({ name: tokenName, description: '', type: 'full-access', lifespan: null });
  const transferTokenBody = (tokenName: string) => ({ name: tokenName, description: '', permissions: ['push', 'pull'], lifespan: null });
  const rootToken = async () => ({ Authorization: `Bearer ${(await passwordLogin(app, 'root@corp.example', PASSWORD)).json().data.token}` });

  /** Tokens made by a password session, for the single-sign-on session to regenerate or read. */
  async function existingTokens() {
    const root = { ...(await rootToken()), 'Content-Type': 'application/json' };
    const apiToken = await api('/admin/api-tokens', root, 'POST', apiTokenBody(name('existing-api')));
    assert.equal(apiToken.status, 201, apiToken.body.slice(0, 300));
    const transfer = await api('/admin/transfer/tokens', root, 'POST', transferTokenBody(name('existing-transfer')));
    assert.equal(transfer.status, 201, transfer.body.slice(0, 300));
    return { apiToken: apiToken.json().data as { id: number; accessKey: string }, transfer: transfer.json().data as { id: number } };
  }

  test('header-authenticated or plugin-session: create, regenerate and read routes → 403 token-creation-refused, nothing stored or revealed', async () => {
    const sso = await app.createAdmin({ email: `sso.tokens.${Date.now()}@corp.example`, roles: ['strapi-super-admin'] });
    const signedIn = await handOff(sso.email);
    assert.ok(signedIn.cookies.jwtToken, `no hand-off: ${signedIn.status}`);
    const { apiToken, transfer } = await existingTokens();
    const apiHash = (await apiTokenRow({ id: apiToken.id })).accessKey;
    const transferHash = (await transferTokenRow({ id: transfer.id })).accessKey;
    const sessions = { header: { ...same(), 'Remote-User': sso.email }, session: { ...same(), ...bearer(signedIn), 'Remote-User': sso.email } };

    /** What each request got, and what it left behind: every one must be refused and leave nothing. */
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};
    const record = (label: string, res: TestResponse, leftBehind: string[]) => {
      outcomes[label] = [res.status, res.json()?.error?.details?.code ?? '-', ...leftBehind].join(' ');
      expected[label] = '403 token-creation-refused';
    };
    for (const [who, headers] of Object.entries(sessions)) {
      for (const path of ['/admin/api-tokens', '/admin/API-Tokens/', '/admin/transfer/tokens', '/admin/Transfer/Tokens/']) {
        const tokenName = name(`sso-${who}`);
        const body = path.toLowerCase().includes('transfer') ? transferTokenBody(tokenName) : apiTokenBody(tokenName);
        const res = await api(path, headers, 'POST', body);
        const stored = [];
        if (await apiTokenRow({ name: tokenName })) stored.push('api-token-row');
        if (await transferTokenRow({ name: tokenName })) stored.push('transfer-token-row');
        record(`${who} POST ${path}`, res, stored);
      }
      for (const path of [`/admin/api-tokens/${apiToken.id}/regenerate`, `/admin/api-tokens/${apiToken.id}/Regenerate/`]) {
        const res = await api(path, headers, 'POST', {});
        record(`${who} POST ${path}`, res, (await apiTokenRow({ id: apiToken.id })).accessKey === apiHash ? [] : ['regenerated']);
      }
      for (const path of [`/admin/transfer/tokens/${transfer.id}/regenerate`, `/admin/TRANSFER/tokens/${transfer.id}/regenerate/`]) {
        const res = await api(path, headers, 'POST', {});
        record(`${who} POST ${path}`, res, (await transferTokenRow({ id: transfer.id })).accessKey === transferHash ? [] : ['regenerated']);
      }
      for (const path of [`/admin/api-tokens/${apiToken.id}`, `/admin/API-TOKENS/${apiToken.id}/`]) {
        const res = await api(path, headers);
        record(`${who} GET ${path}`, res, res.body.includes(apiToken.accessKey) || res.json()?.data?.accessKey ? ['key-revealed'] : []);
      }
      // Strapi's router runs a GET route's controller for HEAD too (Koa drops the body): refused all the same.
      const head = await api(`/admin/api-tokens/${apiToken.id}`, headers, 'HEAD');
      outcomes[`${who} HEAD /admin/api-tokens/${apiToken.id}`] = String(head.status);
      expected[`${who} HEAD /admin/api-tokens/${apiToken.id}`] = '403';
    }
    assert.deepEqual(outcomes, expected);
  });

  test('the admin token an account owned before strict mode: its key is not revealed to the single-sign-on session', async () => {
    const sso = await app.createAdmin({ email: `sso.owner.${Date.now()}@corp.example`, roles: ['strapi-super-admin'] });
    app.configure({ mode: 'persistent' });
    const signedIn = await handOff(sso.email);
    const made = await api('/admin/admin-tokens', { ...same(), ...bearer(signedIn) }, 'POST', { name: name('owned-admin'), description: '', lifespan: null });
    assert.equal(made.status, 201, made.body.slice(0, 300));
    const { id, accessKey } = made.json().data as { id: number; accessKey: string };
    const control = await api(`/admin/admin-tokens/${id}`, { ...same(), ...bearer(signedIn) });
    assert.equal(control.status, 200, control.body.slice(0, 300));
    assert.equal(control.json().data.accessKey, accessKey, 'the control: Strapi shows the owner the key');
    app.configure({ mode: 'strict' });
    const read = await api(`/admin/admin-tokens/${id}`, { ...same(), 'Remote-User': sso.email });
    assert.equal(read.status, 403, read.body.slice(0, 200));
    assert.equal(read.json().error.details.code, 'token-creation-refused');
    assert.ok(!read.body.includes(accessKey), 'the access key was revealed');
  });

  test('the routes around them still answer a header-authenticated session: list, update, delete, the admin token owner-permissions', async () => {
    const sso = await app.createAdmin({ email: `sso.lists.${Date.now()}@corp.example`, roles: ['strapi-super-admin'] });
    const { apiToken, transfer } = await existingTokens();
    const root = { ...(await rootToken()), 'Content-Type': 'application/json' };
    const adminToken = await api('/admin/admin-tokens', root, 'POST', { name: name('root-owned-admin'), description: '', lifespan: null });
    assert.equal(adminToken.status, 201, adminToken.body.slice(0, 300));
    const header = { ...same(), 'Remote-User': sso.email };
    for (const path of ['/admin/api-tokens', '/admin/transfer/tokens', `/admin/transfer/tokens/${transfer.id}`, '/admin/admin-tokens', `/admin/admin-tokens/${adminToken.json().data.id}/owner-permissions`]) {
      const res = await api(path, header);
      assert.equal(res.status, 200, `${path}: ${res.body.slice(0, 200)}`);
    }
    const renamed = name('renamed-api');
    const update = await api(`/admin/api-tokens/${apiToken.id}`, header, 'PUT', { name: renamed });
    assert.equal(update.status, 200, update.body.slice(0, 200));
    assert.ok(!update.body.includes(apiToken.accessKey));
    assert.equal((await apiTokenRow({ id: apiToken.id })).name, renamed);
    const revoked = await api(`/admin/transfer/tokens/${transfer.id}`, header, 'DELETE');
    assert.equal(revoked.status, 200, revoked.body.slice(0, 200));
    assert.equal(await transferTokenRow({ id: transfer.id }), null);
  });

  test('a password session in strict mode still creates, regenerates and reads them (201/200 and a row)', async () => {
    const root = { ...(await rootToken()), 'Content-Type': 'application/json', 'Remote-User': 'knownuser@corp.example' };
    const apiName = name('root-api');
    const created = await api('/admin/api-tokens', root, 'POST', apiTokenBody(apiName));
    assert.equal(created.status, 201, created.body.slice(0, 300));
    const row = await apiTokenRow({ name: apiName });
    assert.ok(row, 'no API token row');
    const regenerated = await api(`/admin/api-tokens/${row.id}/regenerate`, root, 'POST', {});
    assert.equal(regenerated.status, 201, regenerated.body.slice(0, 300));
    assert.notEqual((await apiTokenRow({ id: row.id })).accessKey, row.accessKey, 'not regenerated');
    const read = await api(`/admin/api-tokens/${row.id}`, root);
    assert.equal(read.status, 200, read.body.slice(0, 300));
    assert.equal(read.json().data.accessKey, regenerated.json().data.accessKey);

    const transferName = name('root-transfer');
    const transfer = await api('/admin/transfer/tokens', root, 'POST', transferTokenBody(transferName));
    assert.equal(transfer.status, 201, transfer.body.slice(0, 300));
    const txRow = await transferTokenRow({ name: transferName });
    assert.ok(txRow, 'no transfer token row');
    const txRegenerated = await api(`/admin/transfer/tokens/${txRow.id}/regenerate`, root, 'POST', {});
    assert.equal(txRegenerated.status, 201, txRegenerated.body.slice(0, 300));
    assert.notEqual((await transferTokenRow({ id: txRow.id })).accessKey, txRow.accessKey, 'not regenerated');

    const adminToken = await api('/admin/admin-tokens', root, 'POST', { name: name('root-admin'), description: '', lifespan: null });
    assert.equal(adminToken.status, 201, adminToken.body.slice(0, 300));
    const adminRead = await api(`/admin/admin-tokens/${adminToken.json().data.id}`, root);
    assert.equal(adminRead.status, 200, adminRead.body.slice(0, 300));
    assert.equal(adminRead.json().data.accessKey, adminToken.json().data.accessKey);
  });

  test('persistent mode: a single-sign-on session creates, regenerates and reads them as before (201/200 and a row)', async () => {
    const sso = await app.createAdmin({ email: `sso.persistent.${Date.now()}@corp.example`, roles: ['strapi-super-admin'] });
    app.configure({ mode: 'persistent' });
    const signedIn = await handOff(sso.email);
    const session = { ...same(), ...bearer(signedIn), 'Remote-User': sso.email };
    const apiName = name('persistent-api');
    const created = await api('/admin/api-tokens', session, 'POST', apiTokenBody(apiName));
    assert.equal(created.status, 201, created.body.slice(0, 300));
    const row = await apiTokenRow({ name: apiName });
    assert.ok(row, 'no API token row');
    const regenerated = await api(`/admin/api-tokens/${row.id}/regenerate`, session, 'POST', {});
    assert.equal(regenerated.status, 201, regenerated.body.slice(0, 300));
    const read = await api(`/admin/api-tokens/${row.id}`, session);
    assert.equal(read.status, 200, read.body.slice(0, 300));
    assert.equal(read.json().data.accessKey, regenerated.json().data.accessKey);

    const transferName = name('persistent-transfer');
    const transfer = await api('/admin/transfer/tokens', session, 'POST', transferTokenBody(transferName));
    assert.equal(transfer.status, 201, transfer.body.slice(0, 300));
    const txRow = await transferTokenRow({ name: transferName });
    assert.ok(txRow, 'no transfer token row');
    const txRegenerated = await api(`/admin/transfer/tokens/${txRow.id}/regenerate`, session, 'POST', {});
    assert.equal(txRegenerated.status, 201, txRegenerated.body.slice(0, 300));
  });
});
