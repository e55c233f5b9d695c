/**
 * Groups and attributes (issue "Groups and attributes"): role mapping,
 * syncRoles semantics, Super Admin protection, require/deny groups and
 * profile sync, against a running Strapi.
 *
 * Semantics of the groups header: absent → nothing is known about groups,
 * roles are left as they are (requireGroups refuses); present but empty → the
 * person is in no group (syncRoles removes mapped roles).
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request } from '../harness/http';
import { assertRefused, assertSignedInAs, snapshot } from '../harness/assertions';
import { holdPluginClockStill } from '../harness/plugin-clock';

let app: TestStrapi;
const BASE = {
  autoCreate: true,
  groupsHeader: 'Remote-Groups',
  firstNameHeader: 'Remote-First-Name',
  lastNameHeader: 'Remote-Last-Name',
  groupRoles: { 'cms-editors': ['strapi-editor'], 'cms-*-authors': ['Author'], admins: ['strapi-super-admin'] },
};

before(async () => {
  app = await startStrapi();
  await app.createAdmin({ email: 'root@corp.example', password: 'Sup3rSecret!pass' });
});
after(() => app?.stop());
beforeEach(() => app.configure(BASE));

const signIn = (email: string, headers: Record<string, string> = {}) =>
  request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': email, ...headers } });
/** The JSON sign-in endpoint: a refusal answers with its code. */
const login = (email: string, headers: Record<string, string> = {}) =>
  request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': email, ...headers } });
const rolesOf = async (email: string) =>
  ((await app.adminUsers()).find((u) => u.email === email)?.roles.map((r) => r.code) ?? []).sort();
const userOf = async (email: string) =>
  (await app.adminUsers()).find((u) => u.email === email) as unknown as { firstname: string; lastname: string | null; email: string } | undefined;

describe('mapping on first login', () => {
  test('default roles + mapped roles; case-insensitive groups; wildcard patterns', async () => {
    await assertSignedInAs(app, await signIn('ada@corp.example', { 'Remote-Groups': 'CMS-Editors, cms-news-authors, unrelated' }), 'ada@corp.example');
    assert.deepEqual(await rolesOf('ada@corp.example'), ['strapi-author', 'strapi-editor']);
  });

  test('a custom separator', async () => {
    app.configure({ ...BASE, groupsSeparator: ';', defaultRoles: [] });
    await signIn('sep@corp.example', { 'Remote-Groups': 'cms-editors;other' });
    assert.deepEqual(await rolesOf('sep@corp.example'), ['strapi-editor']);
  });

  test('unknown groups are ignored (and logged)', async () => {
    const lines: string[] = [];
    const log = app.strapi.log as unknown as { info: (...a: unknown[]) => void };
    const original = log.info;
    log.info = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    try {
      await signIn('ignored@corp.example', { 'Remote-Groups': 'nobody-maps-this' });
    } finally {
      log.info = original;
    }
    assert.deepEqual(await rolesOf('ignored@corp.example'), ['strapi-author']);
    assert.ok(lines.some((l) => l.includes('nobody-maps-this')), lines.join('\n'));
  });

  test('unmapped groups are logged once per change, not on every sign-in or request (strict mode)', async () => {
    app.configure({ ...BASE, mode: 'strict' });
    const lines: string[] = [];
    const log = app.strapi.log as unknown as { info: (...a: unknown[]) => void };
    const original = log.info;
    log.info = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    const unmapped = () => lines.filter((l) => l.includes('groups without a role mapping'));
    try {
      for (let i = 0; i < 4; i++) await signIn('quiet@corp.example', { 'Remote-Groups': 'cms-editors, quiet-team' });
      assert.equal(unmapped().length, 1, lines.join('\n'));
      await signIn('quiet@corp.example', { 'Remote-Groups': 'cms-editors, quiet-team, other-team' });
      await signIn('quiet@corp.example', { 'Remote-Groups': 'cms-editors, quiet-team, other-team' });
      assert.equal(unmapped().length, 2, lines.join('\n'));
      assert.match(unmapped()[1], /quiet-team, other-team/);
    } finally {
      log.info = original;
    }
  });

  test('no default roles and no mapped group: refused, no roleless user created', async () => {
    app.configure({ ...BASE, defaultRoles: [] });
    const before = await snapshot(app);
    await assertRefused(app, before, await login('roleless@corp.example', { 'Remote-Groups': 'strangers' }), 403, 'no-role');
  });
});

describe('role sync on later logins', () => {
  test('syncRoles: roles follow the groups, removed when a group disappears', async () => {
    app.configure({ ...BASE, syncRoles: true });
    await signIn('sync@corp.example', { 'Remote-Groups': 'cms-editors' });
    assert.deepEqual(await rolesOf('sync@corp.example'), ['strapi-author', 'strapi-editor']);
    await signIn('sync@corp.example', { 'Remote-Groups': '' });
    assert.deepEqual(await rolesOf('sync@corp.example'), ['strapi-author'], 'empty groups header = in no group');
  });

  test('without syncRoles, mapped roles are only added', async () => {
    await signIn('keep@corp.example', { 'Remote-Groups': 'cms-editors' });
    await signIn('keep@corp.example', { 'Remote-Groups': '' });
    assert.deepEqual(await rolesOf('keep@corp.example'), ['strapi-author', 'strapi-editor']);
  });

  test('an absent groups header leaves roles alone, even with syncRoles', async () => {
    app.configure({ ...BASE, syncRoles: true });
    await signIn('absent@corp.example', { 'Remote-Groups': 'cms-editors' });
    await signIn('absent@corp.example');
    assert.deepEqual(await rolesOf('absent@corp.example'), ['strapi-author', 'strapi-editor']);
  });
});

describe('Super Admin is never granted by a header unless allowed', () => {
  test('a mapping to Super Admin is ignored by default', async () => {
    await signIn('mallory@corp.example', { 'Remote-Groups': 'admins' });
    assert.deepEqual(await rolesOf('mallory@corp.example'), ['strapi-author']);
  });

  test('allowSuperAdminMapping: the mapping applies', async () => {
    app.configure({ ...BASE, allowSuperAdminMapping: true });
    await signIn('trusted.admin@corp.example', { 'Remote-Groups': 'admins' });
    assert.deepEqual(await rolesOf('trusted.admin@corp.example'), ['strapi-author', 'strapi-super-admin']);
  });

  test('syncRoles never removes Super Admin unless allowed', async () => {
    app.configure({ ...BASE, syncRoles: true });
    await signIn('root@corp.example', { 'Remote-Groups': 'cms-editors' });
    assert.ok((await rolesOf('root@corp.example')).includes('strapi-super-admin'));
  });
});

describe('requireGroups / denyGroups', () => {
  test('requireGroups admits members only; an absent groups header proves nothing', async () => {
    app.configure({ ...BASE, requireGroups: ['cms-*'] });
    const before = await snapshot(app);
    await assertRefused(app, before, await login('outsider@corp.example', { 'Remote-Groups': 'sales' }), 403, 'group-required');
    await assertRefused(app, before, await login('outsider@corp.example'), 403, 'group-required');
    await assertRefused(app, before, await signIn('outsider@corp.example', { 'Remote-Groups': 'sales' }), 403, 'group-required');
    await assertSignedInAs(app, await signIn('insider@corp.example', { 'Remote-Groups': 'cms-editors' }), 'insider@corp.example');
  });

  test('denyGroups wins', async () => {
    app.configure({ ...BASE, denyGroups: ['contractors'] });
    const before = await snapshot(app);
    await assertRefused(app, before, await login('temp@corp.example', { 'Remote-Groups': 'cms-editors,Contractors' }), 403, 'group-denied');
  });
});

describe('profile attributes', () => {
  test('names are set on creation and synced on later logins (UTF-8 names too)', async () => {
    const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    await signIn('named@corp.example', { 'Remote-First-Name': 'Ada', 'Remote-Last-Name': 'Lovelace' });
    assert.deepEqual([(await userOf('named@corp.example'))?.firstname, (await userOf('named@corp.example'))?.lastname], ['Ada', 'Lovelace']);
    await signIn('named@corp.example', { 'Remote-First-Name': utf8('Adélaïde'), 'Remote-Last-Name': 'King' });
    assert.deepEqual([(await userOf('named@corp.example'))?.firstname, (await userOf('named@corp.example'))?.lastname], ['Adélaïde', 'King']);
  });

  test('username mode: the e-mail header sets the account e-mail; a change cannot take over another account', async () => {
    app.configure({ ...BASE, userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email' });
    await signIn('grace', { 'Remote-Email': 'grace.hopper@corp.example' });
    assert.ok(await userOf('grace.hopper@corp.example'));
    // The identity "grace" is linked to that account; a new address follows it…
    await signIn('grace', { 'Remote-Email': 'g.hopper@corp.example' });
    assert.ok(await userOf('g.hopper@corp.example'));
    assert.equal(await userOf('grace.hopper@corp.example'), undefined);
    // …but an address that belongs to someone else is never taken, and the identity stays on its own account.
    const res = await signIn('grace', { 'Remote-Email': 'root@corp.example' });
    await assertSignedInAs(app, res, 'g.hopper@corp.example');
    assert.ok((await rolesOf('root@corp.example')).includes('strapi-super-admin'));
  });

  test('linkByEmail off: an unlinked existing account is not taken by a header identity', async () => {
    app.configure({ ...BASE, linkByEmail: false });
    await app.createAdmin({ email: 'local.account@corp.example', password: 'Sup3rSecret!pass', roles: ['strapi-editor'] });
    const before = await snapshot(app);
    await assertRefused(app, before, await login('local.account@corp.example'), 403, 'account-not-linked');
  });
});

describe('diagnostics show groups and their roles', () => {
  test('Check this connection lists the groups and the roles they map to', async () => {
    const token = (await request(app.origin, '/admin/login', { method: 'POST', body: { email: 'root@corp.example', password: 'Sup3rSecret!pass' } })).json().data.token;
    const res = await request(app.origin, '/remote-auth/diagnostics', {
      headers: { Authorization: `Bearer ${token}`, 'Remote-User': 'root@corp.example', 'Remote-Groups': 'cms-editors, nothing' },
    });
    const data = res.json().data;
    assert.deepEqual(data.groups, { seen: ['cms-editors', 'nothing'], roles: ['strapi-editor'], unmatched: ['nothing'] });
  });
});

describe('the role list', () => {
  /** The statements that read Strapi's role list (role-plan.ts), counted while `run` runs. */
  async function roleListReads(run: () => Promise<unknown>): Promise<number> {
    const knex = app.strapi.db.connection as unknown as {
      on(event: 'query', listener: (query: { sql: string }) => void): void;
      off(event: 'query', listener: (query: { sql: string }) => void): void;
    };
    let reads = 0;
    const listener = ({ sql }: { sql: string }) => {
      if (/select\s+\S+\.\S*id\S*,\s*\S+\.\S*code\S*,\s*\S+\.\S*name\S*\s+from\s+\S*admin_roles/i.test(sql)) reads++;
    };
    knex.on('query', listener);
    try {
      await run();
    } finally {
      knex.off('query', listener);
    }
    return reads;
  }

  test('first sign-ins share the cached list: a new account does not make the next one read it again', async (t) => {
    holdPluginClockStill(app.strapi, t); // the list is kept a few seconds: however slow the machine, they do not pass
    await login('warm-roles@corp.example'); // fills the list if it was not there
    const reads = await roleListReads(async () => {
      for (const name of ['roles-a', 'roles-b', 'roles-c']) assert.equal((await login(`${name}@corp.example`)).status, 302);
    });
    assert.equal(reads, 0, `${reads} reads of the role list for three first sign-ins in a row`);
  });

  test('a role renamed in Strapi: the next sign-in resolves role names against the new name at once', async (t) => {
    holdPluginClockStill(app.strapi, t);
    const role = (await app.strapi.db.query('admin::role').create({ data: { name: 'Reviewers', code: 'reviewers-role', description: '' } })) as { id: number };
    const people = ['reviewer-1@corp.example', 'reviewer-2@corp.example'];
    try {
      app.configure({ ...BASE, groupRoles: { reviewers: ['Reviewers'] } }); // by name
      await login(people[0], { 'Remote-Groups': 'reviewers' });
      assert.deepEqual(await rolesOf(people[0]), ['reviewers-role', 'strapi-author'], 'the role is mapped by its name');
      await app.strapi.db.query('admin::role').update({ where: { id: role.id }, data: { name: 'Checkers' } });
      await login(people[1], { 'Remote-Groups': 'reviewers' });
      assert.deepEqual(await rolesOf(people[1]), ['strapi-author'], '"Reviewers" names no role any more: the mapping is skipped');
    } finally {
      await app.strapi.db.query('admin::user').deleteMany({ where: { email: { $in: people } } });
      await app.strapi.db.query('admin::role').delete({ where: { id: role.id } });
    }
  });
});
