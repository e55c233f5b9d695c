/**
 * The settings API behind the admin page: read, update, pinned keys,
 * validation, permissions, the lock-out guard, diagnostics, and changes that
 * take effect on the next request without a restart.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertSignedInAs, passwordLogin, userCount } from '../harness/assertions';
import { schema, settingKeys, type SettingKey } from '../../server/src/settings-schema/schema';

const PASSWORD = 'Sup3rSecret!pass';
const SECRET = 'settings-api-shared-secret-0123456789';
let app: TestStrapi;
let root = '';
let author = '';
let delegate = '';
/** Code of the custom role granted only the plugin's settings permissions. */
let delegateRole = '';

const api = (token: string, method = 'GET', path = '/remote-auth/settings', body?: unknown, headers: Record<string, string> = {}) =>
  request(app.origin, path, { method, body, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...headers } });

const tokenFor = async (email: string) => (await passwordLogin(app, email, PASSWORD)).json().data.token as string;

before(async () => {
  // trustedProxies is pinned in config/plugins; everything else is editable.
  app = await startStrapi({ config: { trustedProxies: ['127.0.0.1/32'] } });
  await app.createAdmin({ email: 'root@corp.example', password: PASSWORD });
  await app.createAdmin({ email: 'author@corp.example', password: PASSWORD, roles: ['strapi-author'] });
  const role = await app.strapi.service('admin::role').create({ name: 'SSO operators', description: 'may manage remote-auth' });
  await app.strapi.service('admin::role').assignPermissions(role.id, [
    { action: 'plugin::remote-auth.settings.read', subject: null, properties: {}, conditions: [] },
    { action: 'plugin::remote-auth.settings.update', subject: null, properties: {}, conditions: [] },
  ]);
  delegateRole = role.code;
  await app.createAdmin({ email: 'operator@corp.example', password: PASSWORD, roles: [role.code] });
  root = await tokenFor('root@corp.example');
  author = await tokenFor('author@corp.example');
  delegate = await tokenFor('operator@corp.example');
});
after(() => app?.stop());

const defaults = async () => (await api(root)).json().data.settings;
const settingsService = () => app.strapi.plugin('remote-auth').service('settings');

type Snapshot = { effective: Record<string, unknown>; stored: Record<string, unknown> };
/** The effective settings (as GET shows them to a Super Admin) and the values in the plugin store. */
const snapshotSettings = async (): Promise<Snapshot> => ({ effective: await defaults(), stored: await settingsService().storedValues() });

/** 403 naming `key` with a reason matching `reason`, and neither the effective nor the stored settings changed. */
async function assertDelegateRefused(res: TestResponse, before: Snapshot, key: string, reason: RegExp): Promise<void> {
  assert.equal(res.status, 403, res.body);
  const error = res.json().error;
  assert.match(error.message, new RegExp(`^Settings not saved: only a Super Admin can change [^.]*\\b${key}\\b`));
  const issue = error.details.errors.find((e: { path: string[] }) => e.path[0] === key);
  assert.ok(issue, `no error for ${key}: ${res.body}`);
  assert.match(issue.message, reason);
  assert.deepEqual(await snapshotSettings(), before);
}

/** A delegated role PUTs the current settings with `patch` applied. */
const delegatePut = (before: Snapshot, patch: Record<string, unknown>) =>
  api(delegate, 'PUT', '/remote-auth/settings', { settings: { ...before.effective, ...patch } });

beforeEach(async () => {
  // Back to defaults between tests (everything unpinned).
  const current = await defaults();
  await api(root, 'PUT', '/remote-auth/settings', {
    settings: { trustedProxies: current.trustedProxies },
  });
});

describe('reading', () => {
  test('GET returns settings, pinned keys, field metadata and the real roles', async () => {
    const res = await api(root);
    assert.equal(res.status, 200, res.body);
    const data = res.json().data;
    assert.equal(data.settings.header, 'Remote-User');
    assert.deepEqual(data.settings.trustedProxies, ['127.0.0.1/32']);
    assert.deepEqual(data.pinned, ['trustedProxies']);
    assert.equal(data.fields.autoCreate.kind, 'boolean');
    assert.deepEqual(data.fields.userField.choices, ['email', 'username']);
    assert.ok(data.roles.some((r: { code: string }) => r.code === 'strapi-author'));
    assert.deepEqual(data.hooks, { normalizeIdentity: false, onLogin: false });
  });

  test('an Author can neither read nor change the settings', async () => {
    assert.equal((await api(author)).status, 403);
    assert.equal((await api(author, 'PUT', '/remote-auth/settings', { settings: { autoCreate: true } })).status, 403);
    assert.equal((await api(author, 'GET', '/remote-auth/diagnostics')).status, 403);
    assert.equal((await request(app.origin, '/remote-auth/settings')).status, 401);
  });

  test('a role granted the plugin permissions in Roles can', async () => {
    assert.equal((await api(delegate)).status, 200);
  });
});

describe('updating', () => {
  test('a GET → PUT round trip is accepted unchanged', async () => {
    const data = (await api(root)).json().data;
    const res = await api(root, 'PUT', '/remote-auth/settings', { settings: data.settings });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json().data.settings, data.settings);
  });

  test('changes take effect on the next request, without a restart', async () => {
    const before = await userCount(app);
    const settings = { ...(await defaults()), header: 'X-Auth-User', autoCreate: true, defaultRoles: ['strapi-editor'] };
    const res = await api(root, 'PUT', '/remote-auth/settings', { settings });
    assert.equal(res.status, 200, res.body);
    const signIn = await request(app.origin, '/admin', { headers: { ...BROWSER, 'X-Auth-User': 'fresh@corp.example' } });
    await assertSignedInAs(app, signIn, 'fresh@corp.example');
    assert.equal(await userCount(app), before + 1);
    const user = (await app.adminUsers()).find((u) => u.email === 'fresh@corp.example');
    assert.deepEqual(user?.roles.map((r) => r.code), ['strapi-editor']);
    const stored = await app.strapi.store({ type: 'plugin', name: 'remote-auth' }).get({ key: 'settings' });
    assert.equal((stored as { header: string }).header, 'X-Auth-User');
  });

  test('a pinned key cannot be changed through the API', async () => {
    const settings = { ...(await defaults()), trustedProxies: ['10.0.0.0/8'] };
    const res = await api(root, 'PUT', '/remote-auth/settings', { settings });
    assert.equal(res.status, 400);
    const errors = res.json().error.details.errors;
    assert.deepEqual(errors[0].path, ['trustedProxies']);
    assert.match(errors[0].message, /set in config\/plugins/);
  });

  test('invalid values → 400 with per-field errors, and nothing is saved', async () => {
    const before = await defaults();
    const res = await api(root, 'PUT', '/remote-auth/settings', {
      settings: { ...before, header: 'Remote_User', userField: 'username', autoCreate: 'yes', logoutRedirectUrl: 'javascript:alert(1)' },
    });
    assert.equal(res.status, 400);
    const paths = res.json().error.details.errors.map((e: { path: string[] }) => e.path[0]).sort();
    assert.deepEqual(paths, ['autoCreate', 'emailDomain', 'header', 'logoutRedirectUrl']);
    assert.deepEqual(await defaults(), before);
  });

  test('hooks are code: they cannot be set through the API', async () => {
    const res = await api(root, 'PUT', '/remote-auth/settings', { settings: { ...(await defaults()), onLogin: 'console.log(1)' } });
    assert.equal(res.status, 400);
  });

  test('the shared secret is write-only: never returned, kept on a round trip, usable', async () => {
    const settings = { ...(await defaults()), sharedSecret: { header: 'X-Remote-Auth-Secret', value: SECRET } };
    const saved = await api(root, 'PUT', '/remote-auth/settings', { settings });
    assert.equal(saved.status, 200, saved.body);
    assert.doesNotMatch(saved.body, new RegExp(SECRET));
    const read = await api(root);
    assert.doesNotMatch(read.body, new RegExp(SECRET));
    assert.deepEqual(read.json().data.settings.sharedSecret, { header: 'X-Remote-Auth-Secret', isSet: true });

    const roundTrip = await api(root, 'PUT', '/remote-auth/settings', { settings: read.json().data.settings });
    assert.equal(roundTrip.status, 200, roundTrip.body);
    await app.createAdmin({ email: 'secret.user@corp.example', roles: ['strapi-editor'] });
    const refused = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'secret.user@corp.example' } });
    assert.equal(refused.status, 403);
    const ok = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'secret.user@corp.example', 'X-Remote-Auth-Secret': SECRET } });
    await assertSignedInAs(app, ok, 'secret.user@corp.example');
  });

  test('a secret header without a value is refused when none is stored yet', async () => {
    const res = await api(root, 'PUT', '/remote-auth/settings', { settings: { ...(await defaults()), sharedSecret: { header: 'X-Proxy-Secret' } } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json().error.details.errors[0].path, ['sharedSecret']);
  });

  test('a value stored on another instance is picked up within the documented bound', async () => {
    const store = app.strapi.store({ type: 'plugin', name: 'remote-auth' });
    await store.set({ key: 'settings', value: { autoCreate: true, defaultRoles: ['strapi-author'] } });
    const started = Date.now();
    let res;
    do {
      await new Promise((r) => setTimeout(r, 250));
      res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'elsewhere@corp.example' } });
    } while (!res.cookies.jwtToken && Date.now() - started < 5_000);
    assert.ok(res.cookies.jwtToken, 'the stored change was not applied within 5 s');
  });
});

describe('T21: every setting is for Super Admins only', () => {
  // One change per setting, each valid on its own (plus `extra`), so a 403 is about the key and not a 400 about its neighbours.
  const changes: Array<[SettingKey, unknown, Record<string, unknown>?]> = [
    ['enabled', false],
    ['mode', 'strict'],
    ['header', 'X-Client-User'],
    ['trustedProxies', ['127.0.0.1/32', '10.0.0.0/24']],
    ['assertion', { preset: 'pomerium', routeDomain: 'cms.corp.example' }],
    ['sharedSecret', { header: 'X-Proxy-Secret', value: SECRET }],
    ['userField', 'username', { emailDomain: 'corp.example' }],
    ['emailDomain', 'corp.example'],
    ['realms', ['CORP.EXAMPLE']],
    ['autoCreate', true],
    ['deactivateAfterDays', 90],
    ['maxNewUsersPerMinute', 0],
    ['defaultRoles', ['strapi-editor']],
    ['linkByEmail', false],
    ['linkByEmailHeader', true],
    ['emailHeader', 'X-Email'],
    ['firstNameHeader', 'X-First'],
    ['lastNameHeader', 'X-Last'],
    ['groupsHeader', 'X-Client-Groups'],
    ['groupsSeparator', ';'],
    ['groupRoles', { editors: ['strapi-editor'] }],
    ['syncRoles', true],
    ['syncInterval', 300],
    ['allowSuperAdminMapping', true],
    ['requireGroups', ['staff'], { groupsHeader: 'X-Groups' }],
    ['denyGroups', ['contractors'], { groupsHeader: 'X-Groups' }],
    ['allowInactive', true],
    ['allowPasswordLogin', false],
    ['logoutRedirectUrl', '/oauth2/sign_out'],
    ['activityRetentionDays', 1],
  ];

  test('the list below covers every setting except the hooks', () => {
    const covered = changes.map(([key]) => key).sort();
    assert.deepEqual(covered, settingKeys.filter((key) => schema[key].kind !== 'hook').sort());
  });

  for (const [key, value, extra = {}] of changes) {
    test(`a delegated role cannot change ${key} (403 with the reason), and nothing is stored`, async () => {
      // trustedProxies is pinned in this file's boot config: unpin it so the refusal is the Super Admin rule.
      if (key === 'trustedProxies') app.configure({ trustedProxies: undefined });
      try {
        const before = await snapshotSettings();
        const res = await delegatePut(before, { ...extra, [key]: value });
        await assertDelegateRefused(res, before, key, /only a Super Admin can change this: it \S/);
      } finally {
        app.configure({});
      }
    });
  }

  describe('the attack pass (finding 4): what a delegate could still change before', () => {
    test('re-enabling password login after a Super Admin turned it off', async () => {
      await settingsService().save({ allowPasswordLogin: false });
      const before = await snapshotSettings();
      assert.equal(before.effective.allowPasswordLogin, false);
      const res = await delegatePut(before, { allowPasswordLogin: true });
      await assertDelegateRefused(res, before, 'allowPasswordLogin', /accounts linked to single sign-on can bypass it with a password/);
      assert.equal((await defaults()).allowPasswordLogin, false);
    });

    test('pointing logoutRedirectUrl at a phishing page', async () => {
      const before = await snapshotSettings();
      const res = await delegatePut(before, { logoutRedirectUrl: 'https://evil.example/phish' });
      await assertDelegateRefused(res, before, 'logoutRedirectUrl', /decides where everyone is sent after signing out/);
    });

    test('removing the account-creation ceiling (maxNewUsersPerMinute: 0)', async () => {
      const before = await snapshotSettings();
      const res = await delegatePut(before, { maxNewUsersPerMinute: 0 });
      await assertDelegateRefused(res, before, 'maxNewUsersPerMinute', /bounds how many accounts a misconfigured or compromised proxy can create/);
    });

    test('giving every group, or every new account, a role below Super Admin (here the delegate’s own)', async () => {
      const before = await snapshotSettings();
      const everyone = await delegatePut(before, { groupRoles: { '*': [delegateRole] } });
      await assertDelegateRefused(everyone, before, 'groupRoles', /decides which roles people get/);
      const fresh = await delegatePut(before, { defaultRoles: [delegateRole] });
      await assertDelegateRefused(fresh, before, 'defaultRoles', /decides which roles people get/);
    });

    test('turning on syncRoles', async () => {
      const before = await snapshotSettings();
      const res = await delegatePut(before, { syncRoles: true });
      await assertDelegateRefused(res, before, 'syncRoles', /decides which roles people get/);
    });
  });

  test('the attack from the issue: header + allowSuperAdminMapping + groups header + Super Admin mapping → 403', async () => {
    const before = await snapshotSettings();
    const res = await delegatePut(before, {
      header: 'X-Client-User',
      allowSuperAdminMapping: true,
      groupsHeader: 'X-Client-Groups',
      groupRoles: { everyone: ['strapi-super-admin'] },
    });
    await assertDelegateRefused(res, before, 'groupRoles', /grants the Super Admin role/);
    const keys = res.json().error.details.errors.map((e: { path: string[] }) => e.path[0]).sort();
    assert.deepEqual(keys, ['allowSuperAdminMapping', 'groupRoles', 'groupsHeader', 'header']);
  });

  for (const [key, value] of [
    ['groupRoles', { 'cms-admins': ['strapi-super-admin'] }],
    ['groupRoles', { 'cms-admins': ['Super Admin'] }],
    ['defaultRoles', ['strapi-author', 'strapi-super-admin']],
    ['defaultRoles', ['super admin']],
  ] as Array<[string, unknown]>) {
    test(`a delegated role cannot make ${key} grant Super Admin (${JSON.stringify(value)}); the reason says so`, async () => {
      const before = await snapshotSettings();
      const res = await delegatePut(before, { [key]: value });
      await assertDelegateRefused(res, before, key, /decides which roles people get, and it grants the Super Admin role/);
    });
  }

  test('a delegated role cannot remove a Super Admin grant either; the page is told it grants Super Admin', async () => {
    const granted = await api(root, 'PUT', '/remote-auth/settings', {
      settings: { ...(await defaults()), groupRoles: { 'cms-admins': ['strapi-super-admin'] } },
    });
    assert.equal(granted.status, 200, granted.body);
    const before = await snapshotSettings();
    const read = (await api(delegate)).json().data;
    assert.match(read.readOnly.groupRoles, /grants the Super Admin role/);
    assert.doesNotMatch(read.readOnly.defaultRoles, /grants the Super Admin role/);
    const removal = await delegatePut(before, { groupRoles: {} });
    await assertDelegateRefused(removal, before, 'groupRoles', /grants the Super Admin role/);
  });

  test('leaving a key out of the body (which resets it) counts as changing it', async () => {
    await api(root, 'PUT', '/remote-auth/settings', { settings: { ...(await defaults()), header: 'X-Auth-User' } });
    const before = await snapshotSettings();
    const { header: _dropped, ...rest } = before.effective;
    const res = await api(delegate, 'PUT', '/remote-auth/settings', { settings: rest });
    await assertDelegateRefused(res, before, 'header', /which request header says who a person is/);
  });

  test('a delegated role’s GET → PUT round trip changes nothing and stores nothing', async () => {
    await settingsService().save({ autoCreate: true });
    const before = await snapshotSettings();
    const res = await delegatePut(before, {});
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(await snapshotSettings(), before);
  });

  test('a Super Admin can change every setting', async () => {
    const settings = {
      ...(await defaults()),
      header: 'X-Auth-User',
      allowSuperAdminMapping: true,
      groupsHeader: 'X-Auth-Groups',
      groupRoles: { 'cms-admins': ['strapi-super-admin'] },
      autoCreate: true,
      maxNewUsersPerMinute: 0,
      syncRoles: true,
      logoutRedirectUrl: '/oauth2/sign_out',
    };
    const res = await api(root, 'PUT', '/remote-auth/settings', { settings });
    assert.equal(res.status, 200, res.body);
    const saved = await defaults();
    assert.equal(saved.header, 'X-Auth-User');
    assert.equal(saved.allowSuperAdminMapping, true);
    assert.equal(saved.maxNewUsersPerMinute, 0);
    assert.equal(saved.logoutRedirectUrl, '/oauth2/sign_out');
  });

  test('GET tells the page that every setting is read-only for a delegated role, and why', async () => {
    const forDelegate = (await api(delegate)).json().data;
    assert.equal(forDelegate.isSuperAdmin, false);
    assert.deepEqual(Object.keys(forDelegate.readOnly).sort(), settingKeys.filter((key) => schema[key].kind !== 'hook').sort());
    for (const [key, reason] of Object.entries(forDelegate.readOnly)) {
      assert.match(reason as string, /^only a Super Admin can change this: it \S/, key);
    }
    assert.match(forDelegate.readOnly.allowPasswordLogin, /bypass it with a password/);
    assert.match(forDelegate.readOnly.logoutRedirectUrl, /where everyone is sent after signing out/);
    const forRoot = (await api(root)).json().data;
    assert.equal(forRoot.isSuperAdmin, true);
    assert.deepEqual(forRoot.readOnly, {});
  });
});

describe('T23: trust lists wider than any proxy fleet are refused', () => {
  for (const entries of [
    ['0.0.0.0/1', '128.0.0.0/1'],
    ['::/1', '8000::/1'],
    ['10.0.0.0/7'],
    ['2001::/31'],
    ['::ffff:0.0.0.0/97'],
  ]) {
    test(`trustedProxies ${JSON.stringify(entries)} → 400, nothing saved`, async () => {
      // trustedProxies is pinned in this file's boot config: unpin it for this test.
      app.configure({ trustedProxies: undefined });
      try {
        const before = await defaults();
        const res = await api(root, 'PUT', '/remote-auth/settings', { settings: { ...before, trustedProxies: entries } });
        assert.equal(res.status, 400, res.body);
        const [error] = res.json().error.details.errors;
        assert.deepEqual(error.path, ['trustedProxies']);
        assert.match(error.message, /is wider than \/(8|32)/);
        assert.deepEqual(await defaults(), before);
      } finally {
        app.configure({});
      }
    });
  }
});

describe('lock-out guard', () => {
  test('turning off password login from a browser without a trusted identity is refused', async () => {
    const res = await api(root, 'PUT', '/remote-auth/settings', { settings: { ...(await defaults()), allowPasswordLogin: false } });
    assert.equal(res.status, 400);
    const [error] = res.json().error.details.errors;
    assert.deepEqual(error.path, ['allowPasswordLogin']);
    assert.match(error.message, /lock yourself out/);
    assert.equal((await defaults()).allowPasswordLogin, true);
  });

  test('the same change from a browser signed in through the proxy as that user is accepted', async () => {
    const res = await api(root, 'PUT', '/remote-auth/settings', { settings: { ...(await defaults()), allowPasswordLogin: false } }, { 'Remote-User': 'root@corp.example' });
    assert.equal(res.status, 200, res.body);
    assert.equal((await defaults()).allowPasswordLogin, false);
  });

  test('an SSO-only administrator cannot rename the header away from under themselves', async () => {
    await app.createAdmin({ email: 'sso.only@corp.example', roles: ['strapi-super-admin'] });
    const signIn = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'sso.only@corp.example' } });
    const token = signIn.cookies.jwtToken;
    const res = await api(token, 'PUT', '/remote-auth/settings', { settings: { ...(await defaults()), header: 'X-Other' } }, { 'Remote-User': 'sso.only@corp.example' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json().error.details.errors[0].path, ['header']);
  });
});

describe('check this connection', () => {
  test('reports peer, secret, masked identity and the outcome, creating nothing', async () => {
    await api(root, 'PUT', '/remote-auth/settings', { settings: { ...(await defaults()), autoCreate: true } });
    const before = await userCount(app);
    const res = await api(root, 'GET', '/remote-auth/diagnostics', undefined, { 'Remote-User': 'someone.new@corp.example' });
    assert.equal(res.status, 200, res.body);
    const data = res.json().data;
    assert.equal(data.trustedPeer, true);
    assert.equal(data.secret, 'not-configured');
    assert.equal(data.header.state, 'present');
    assert.equal(data.header.masked, 'so*********@corp.example #e0dec5');
    assert.equal(data.outcome.result, 'would-create');
    assert.equal(await userCount(app), before);
    assert.equal(res.cookies.jwtToken, undefined);
  });

  test('a known user, and a refusal from an untrusted address', async () => {
    const known = (await api(root, 'GET', '/remote-auth/diagnostics', undefined, { 'Remote-User': 'author@corp.example' })).json().data;
    assert.equal(known.outcome.result, 'would-sign-in');
    assert.equal(known.outcome.user.email, 'author@corp.example');
    const far = await request(app.origin, '/remote-auth/diagnostics', {
      headers: { Authorization: `Bearer ${root}`, 'Remote-User': 'author@corp.example' },
      localAddress: '127.0.0.2',
    });
    const data = far.json().data;
    assert.equal(data.trustedPeer, false);
    assert.equal(data.outcome.result, 'refused');
    assert.equal(data.outcome.code, 'untrusted-peer');
  });
});
