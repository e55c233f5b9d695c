/**
 * Tests written for mutants of the Strapi-side guards that survived the
 * integration suites of the mutation pass (see the commit messages). Each one
 * pins a condition nothing else checked against a running Strapi.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURE_OWNER, startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertRefused, passwordLogin, snapshot } from '../harness/assertions';

let app: TestStrapi;

before(async () => {
  app = await startStrapi();
});
after(() => app?.stop());

let counter = 0;
const fresh = (prefix: string) => `${prefix}${process.pid}x${++counter}`;

const DAY_MS = 86_400_000;

const signIn = (identity: string, headers: Record<string, string> = {}): Promise<TestResponse> =>
  request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': identity, ...headers } });

describe('identity linking (T18)', () => {
  test('an account linked to an identity of another source is linked elsewhere, even when the subject reads the same', async () => {
    app.configure({ userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email', autoCreate: true, linkByEmailHeader: true });
    const name = fresh('zed');
    const account = await app.createAdmin({ email: `${name}.local@corp.example`, roles: ['strapi-editor'] });
    const now = new Date();
    // The account belongs to the identity "zed…" of the signed-assertion namespace, not to the header's "zed…".
    await app.strapi.db
      .connection('remote_auth_identities')
      .insert({ source: 'assertion', subject: name, user_id: account.id, created_at: now, last_seen_at: now, created_account: false });
    const before = await snapshot(app);
    await assertRefused(app, before, await signIn(name, { 'Remote-Email': account.email }), 403, 'account-linked-elsewhere');
  });
});

describe('deprovisioning (deactivateAfterDays)', () => {
  test('a password-less account the plugin only linked is never due, however stale; one it created is (the control)', async () => {
    const base = { autoCreate: true, defaultRoles: ['strapi-editor'], maxNewUsersPerMinute: 0 };
    app.configure(base);
    const linked = `${fresh('linked')}@corp.example`;
    const created = `${fresh('created')}@corp.example`;
    // An invited account without a password, signed in (and so linked) by its e-mail identity.
    const account = await app.createAdmin({ email: linked, roles: ['strapi-editor'] });
    const stored = await app.strapi.db.connection('admin_users').where({ id: account.id }).first('password');
    assert.ok(!stored?.password, 'the linked account has a password: the password rule would spare it, nothing is tested');
    for (const identity of [linked, created]) {
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity } });
      assert.ok(res.cookies.jwtToken, `${identity} was not signed in: ${res.status}`);
    }
    const links = app.strapi.db.connection('remote_auth_identities');
    const link = await links.clone().where({ subject: linked }).first('created_account');
    assert.ok(link && !link.created_account, 'the account must be linked, not created: nothing is tested');
    await links.clone().whereIn('subject', [linked, created]).update({ last_seen_at: new Date(Date.now() - 40 * DAY_MS) });
    app.configure({ ...base, deactivateAfterDays: 30 });

    const token = (await passwordLogin(app, FIXTURE_OWNER.email, FIXTURE_OWNER.password)).json().data.token as string;
    const preview = await request(app.origin, '/remote-auth/deprovisioning/preview', { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
    const due = (preview.json().data.due as Array<{ email: string }>).map((person) => person.email);
    assert.ok(due.includes(created), `the stale created account is not due: ${JSON.stringify(due)}`);
    assert.ok(!due.includes(linked), 'an account the plugin only linked would be deactivated');
    const users = await app.adminUsers();
    assert.equal(users.find((user) => user.email === linked)?.isActive, true);
  });
});

describe('password-login guard', () => {
  test('allowPasswordLogin off: a Super Admin linked to single sign-on keeps the password form; a linked editor does not (control)', async () => {
    app.configure({ allowPasswordLogin: false });
    const password = 'Sup3rSecret!pass';
    const chief = `${fresh('chief')}@corp.example`;
    const editor = `${fresh('editor')}@corp.example`;
    await app.createAdmin({ email: chief, password });
    await app.createAdmin({ email: editor, password, roles: ['strapi-editor'] });
    for (const identity of [chief, editor]) {
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity } });
      assert.ok(res.cookies.jwtToken, `${identity} was not signed in (and so not linked): ${res.status}`);
    }
    assert.equal((await passwordLogin(app, editor, password)).status, 403, 'the control: a linked editor must be refused');
    const res = await passwordLogin(app, chief, password);
    assert.equal(res.status, 200, `a linked Super Admin lost the password form: ${res.body.slice(0, 200)}`);
  });
});
