/**
 * The settings API behind the admin page: read, update, pinned keys,
 * validation, permissions, the lock-out guard, diagnostics, and changes that
 * take effect on the next request without a restart.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request } from '../harness/http';
import { assertSignedInAs, passwordLogin, userCount } from '../harness/assertions';

const PASSWORD = 'Sup3rSecret!pass';
const SECRET = 'settings-api-shared-secret-0123456789';
let app: TestStrapi;
let root = '';
let author = '';
let delegate = '';

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
  await app.createAdmin({ email: 'operator@corp.example', password: PASSWORD, roles: [role.code] });
  root = await tokenFor('root@corp.example');
  author = await tokenFor('author@corp.example');
  delegate = await tokenFor('operator@corp.example');
});
after(() => app?.stop());

const defaults = async () => (await api(root)).json().data.settings;
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

describe('T21: security-critical keys are for Super Admins only', () => {
  const critical: Array<[string, unknown]> = [
    ['enabled', false],
    ['mode', 'strict'],
    ['header', 'X-Client-User'],
    ['sharedSecret', { header: 'X-Proxy-Secret', value: SECRET }],
    ['userField', 'username'],
    ['emailDomain', 'corp.example'],
    ['linkByEmail', false],
    ['emailHeader', 'X-Email'],
    ['firstNameHeader', 'X-First'],
    ['lastNameHeader', 'X-Last'],
    ['groupsHeader', 'X-Client-Groups'],
    ['groupsSeparator', ';'],
    ['allowSuperAdminMapping', true],
    ['autoCreate', true],
    ['allowInactive', true],
    ['requireGroups', ['staff']],
    ['denyGroups', ['contractors']],
  ];

  for (const [key, value] of critical) {
    test(`a delegated role cannot change ${key} (403, names the key), and nothing is saved`, async () => {
      const before = await defaults();
      // Keep the body valid, so the 403 is about the key and not a 400 about its neighbours.
      const extra = key === 'userField' ? { emailDomain: 'corp.example' } : key === 'requireGroups' || key === 'denyGroups' ? { groupsHeader: 'X-Groups' } : {};
      const res = await api(delegate, 'PUT', '/remote-auth/settings', { settings: { ...before, ...extra, [key]: value } });
      assert.equal(res.status, 403, res.body);
      const error = res.json().error;
      assert.match(error.message, /only a Super Admin can change/);
      assert.ok(error.details.errors.some((e: { path: string[] }) => e.path[0] === key), res.body);
      assert.match(error.details.errors.find((e: { path: string[] }) => e.path[0] === key).message, /only a Super Admin/);
      assert.deepEqual(await defaults(), before);
    });
  }

  test('the attack from the issue: header + allowSuperAdminMapping + groups header + Super Admin mapping → 403', async () => {
    const before = await defaults();
    const res = await api(delegate, 'PUT', '/remote-auth/settings', {
      settings: {
        ...before,
        header: 'X-Client-User',
        allowSuperAdminMapping: true,
        groupsHeader: 'X-Client-Groups',
        groupRoles: { everyone: ['strapi-super-admin'] },
      },
    });
    assert.equal(res.status, 403, res.body);
    const keys = res.json().error.details.errors.map((e: { path: string[] }) => e.path[0]).sort();
    assert.deepEqual(keys, ['allowSuperAdminMapping', 'groupRoles', 'groupsHeader', 'header']);
    assert.deepEqual(await defaults(), before);
  });

  for (const [key, value] of [
    ['groupRoles', { 'cms-admins': ['strapi-super-admin'] }],
    ['groupRoles', { 'cms-admins': ['Super Admin'] }],
    ['defaultRoles', ['strapi-author', 'strapi-super-admin']],
    ['defaultRoles', ['super admin']],
  ] as Array<[string, unknown]>) {
    test(`a delegated role cannot make ${key} grant Super Admin (${JSON.stringify(value)})`, async () => {
      const before = await defaults();
      const res = await api(delegate, 'PUT', '/remote-auth/settings', { settings: { ...before, [key]: value } });
      assert.equal(res.status, 403, res.body);
      assert.deepEqual(res.json().error.details.errors.map((e: { path: string[] }) => e.path[0]), [key]);
      assert.match(res.json().error.details.errors[0].message, /grants the Super Admin role/);
      assert.deepEqual(await defaults(), before);
    });
  }

  test('a delegated role cannot remove a Super Admin grant either, but may change roles that grant none', async () => {
    const granted = await api(root, 'PUT', '/remote-auth/settings', {
      settings: { ...(await defaults()), groupRoles: { 'cms-admins': ['strapi-super-admin'] } },
    });
    assert.equal(granted.status, 200, granted.body);
    const before = await defaults();
    const read = (await api(delegate)).json().data;
    assert.match(read.readOnly.groupRoles, /grants the Super Admin role/);
    assert.equal(read.readOnly.defaultRoles, undefined);
    const removal = await api(delegate, 'PUT', '/remote-auth/settings', { settings: { ...before, groupRoles: {} } });
    assert.equal(removal.status, 403, removal.body);
    const harmless = await api(delegate, 'PUT', '/remote-auth/settings', { settings: { ...before, defaultRoles: ['strapi-editor'] } });
    assert.equal(harmless.status, 200, harmless.body);
    assert.deepEqual((await defaults()).defaultRoles, ['strapi-editor']);
  });

  test('leaving a critical key out of the body (which resets it) counts as changing it', async () => {
    await api(root, 'PUT', '/remote-auth/settings', { settings: { ...(await defaults()), header: 'X-Auth-User' } });
    const before = await defaults();
    const { header: _dropped, ...rest } = before;
    const res = await api(delegate, 'PUT', '/remote-auth/settings', { settings: rest });
    assert.equal(res.status, 403, res.body);
    assert.deepEqual(await defaults(), before);
  });

  test('a delegated role can still change non-critical keys, with a GET → PUT round trip of the rest', async () => {
    const settings = { ...(await defaults()), logoutRedirectUrl: '/oauth2/sign_out', syncRoles: true, groupRoles: { editors: ['strapi-editor'] } };
    const res = await api(delegate, 'PUT', '/remote-auth/settings', { settings });
    assert.equal(res.status, 200, res.body);
    const saved = await defaults();
    assert.equal(saved.logoutRedirectUrl, '/oauth2/sign_out');
    assert.equal(saved.syncRoles, true);
    assert.deepEqual(saved.groupRoles, { editors: ['strapi-editor'] });
  });

  test('a Super Admin can change the critical keys', async () => {
    const settings = {
      ...(await defaults()),
      header: 'X-Auth-User',
      allowSuperAdminMapping: true,
      groupsHeader: 'X-Auth-Groups',
      groupRoles: { 'cms-admins': ['strapi-super-admin'] },
      autoCreate: true,
    };
    const res = await api(root, 'PUT', '/remote-auth/settings', { settings });
    assert.equal(res.status, 200, res.body);
    const saved = await defaults();
    assert.equal(saved.header, 'X-Auth-User');
    assert.equal(saved.allowSuperAdminMapping, true);
  });

  test('GET tells the page which keys are read-only for this user, and why', async () => {
    const forDelegate = (await api(delegate)).json().data;
    assert.equal(forDelegate.isSuperAdmin, false);
    for (const key of ['enabled', 'mode', 'header', 'sharedSecret', 'userField', 'allowSuperAdminMapping', 'autoCreate', 'groupsHeader']) {
      assert.match(forDelegate.readOnly[key] ?? '', /only a Super Admin/, key);
    }
    for (const key of ['logoutRedirectUrl', 'syncRoles', 'allowPasswordLogin', 'groupRoles', 'defaultRoles']) {
      assert.equal(forDelegate.readOnly[key], undefined, key);
    }
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
    const res = await api(delegate, 'PUT', '/remote-auth/settings', { settings: { ...(await defaults()), allowPasswordLogin: false } });
    assert.equal(res.status, 400);
    const [error] = res.json().error.details.errors;
    assert.deepEqual(error.path, ['allowPasswordLogin']);
    assert.match(error.message, /lock yourself out/);
    assert.equal((await defaults()).allowPasswordLogin, true);
  });

  test('the same change from a browser signed in through the proxy as that user is accepted', async () => {
    const res = await api(delegate, 'PUT', '/remote-auth/settings', { settings: { ...(await defaults()), allowPasswordLogin: false } }, { 'Remote-User': 'operator@corp.example' });
    assert.equal(res.status, 200, res.body);
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
    assert.equal(data.header.masked, 'so*********@corp.example');
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
