/**
 * Identity ↔ account linking against a running Strapi (issue #11, T18/T19).
 *
 * The Authelia preset — `userField: 'username'` + `emailHeader` — gives every
 * person two values: the identity (the stable key, linked in
 * remote_auth_identities) and an e-mail address from an attribute header,
 * which the person may be able to edit at the identity provider. Each T18
 * attack from the issue is reproduced here; on the code before the fix each
 * one signed the attacker in as someone else or rewrote the Super Admin.
 *
 * Also: realms (T19), the creation ceiling, and the operator hooks
 * (the fixture's example hooks, switched on with REMOTE_AUTH_HOOKS=1).
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { request, type TestResponse } from '../harness/http';
import { assertNoSession, assertRefused, assertSignedInAs, passwordLogin, snapshot, userCount } from '../harness/assertions';
import type { Core } from '@strapi/strapi';
import { createAccounts, type AdminRole } from '../../server/src/strapi/accounts/accounts';
import { createIdentityLinks } from '../../server/src/strapi/accounts/identity-links';
import type { Claim } from '../../server/src/pipeline/claim';
import type { Settings } from '../../server/src/settings-schema/schema';
import { isRefusal } from '../../server/src/pipeline/refusal';
import { defaultSettings } from '../../server/src/settings-schema/schema';
import { createAccountResolver } from '../../server/src/strapi/sign-in/account-resolver';
import { createSuperAdminGate } from '../../server/src/strapi/accounts/super-admin-gate';
import { createClock } from '../../server/src/strapi/infrastructure/clock';

let app: TestStrapi;
const OWNER = { email: 'owner@corp.example', password: 'Own3r!Password' };
/** The Authelia preset, with autoCreate on so a bypass would show as a new row. */
const AUTHELIA = { userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email', autoCreate: true };

before(async () => {
  app = await startStrapi({ env: { REMOTE_AUTH_HOOKS: '1' } });
  await app.createAdmin(OWNER);
});
after(() => app?.stop());
beforeEach(() => app.configure(AUTHELIA));

let counter = 0;
/** A fresh name per call, so no test depends on another's accounts. */
const fresh = (prefix: string) => `${prefix}${process.pid}x${++counter}`;

/** A sign-in through the JSON login endpoint, as the trusted proxy would send it. */
const signIn = (identity: string, headers: Record<string, string> = {}): Promise<TestResponse> =>
  request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': identity, ...headers } });

const userRow = async (email: string) =>
  (await app.strapi.db.query('admin::user').findOne({ where: { email }, select: ['id', 'email', 'password'] })) as
    | { id: number; email: string; password: string | null }
    | null;

const linksOf = async (userId: number): Promise<string[]> =>
  ((await app.strapi.db.connection('remote_auth_identities').where({ user_id: userId }).select('subject')) as Array<{ subject: string }>).map(
    (row) => row.subject,
  );

/** Captures warn/info lines while `work` runs. */
async function logLines(level: 'warn' | 'info', work: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const log = app.strapi.log as unknown as Record<string, (...args: unknown[]) => void>;
  const original = log[level];
  log[level] = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  try {
    await work();
  } finally {
    log[level] = original;
  }
  return lines;
}

describe('T18: an e-mail from an attribute header never takes over an account', () => {
  test('mallory with the Super Admin’s address is refused (account-not-linked); the Super Admin row is untouched', async () => {
    const mallory = fresh('mallory');
    const before = await snapshot(app);
    const res = await signIn(mallory, { 'Remote-Email': OWNER.email });
    await assertRefused(app, before, res, 403, 'account-not-linked');
    assert.deepEqual(await linksOf((await userRow(OWNER.email))!.id), [], 'no identity may be linked to the Super Admin');
  });

  test('mallory then signing in with her own address gets her own account; the Super Admin’s e-mail and password stay', async () => {
    const mallory = fresh('mallory');
    const ownerBefore = await userRow(OWNER.email);
    const before = await snapshot(app);
    await assertRefused(app, before, await signIn(mallory, { 'Remote-Email': OWNER.email }), 403, 'account-not-linked');
    const own = `${mallory}@mail.example`;
    await assertSignedInAs(app, await signIn(mallory, { 'Remote-Email': own }), own);
    assert.deepEqual(await userRow(OWNER.email), ownerBefore, 'the Super Admin row changed');
    assert.equal((await userRow(own))?.id !== ownerBefore?.id, true);
    assert.deepEqual(await linksOf(ownerBefore!.id), []);
    assert.equal((await passwordLogin(app, OWNER.email, OWNER.password)).status, 200, 'the owner can still use the password');
  });

  test('eve with alice’s address, alice already linked to "alice": refused (account-linked-elsewhere), also with linkByEmailHeader', async () => {
    const alice = fresh('alice');
    const address = `${alice}@mail.example`;
    await assertSignedInAs(app, await signIn(alice, { 'Remote-Email': address }), address);
    const eve = fresh('eve');
    for (const config of [AUTHELIA, { ...AUTHELIA, linkByEmailHeader: true }]) {
      app.configure(config);
      const before = await snapshot(app);
      await assertRefused(app, before, await signIn(eve, { 'Remote-Email': address }), 403, 'account-linked-elsewhere');
    }
    assert.deepEqual(await linksOf((await userRow(address))!.id), [alice]);
  });

  test('an identity derived address (user@emailDomain) of a linked account is refused for another identity too', async () => {
    // "bob" signs in without an e-mail header: bob@corp.example, linked to "bob".
    const bob = fresh('bob');
    await assertSignedInAs(app, await signIn(bob), `${bob}@corp.example`);
    const before = await snapshot(app);
    await assertRefused(app, before, await signIn(fresh('intruder'), { 'Remote-Email': `${bob}@corp.example` }), 403, 'account-linked-elsewhere');
  });

  test('linkByEmailHeader (opt-in) links a first sign-in to an existing account that no identity holds', async () => {
    app.configure({ ...AUTHELIA, linkByEmailHeader: true });
    const dave = fresh('dave');
    const local = await app.createAdmin({ email: `${dave}.local@corp.example`, roles: ['strapi-editor'] });
    await assertSignedInAs(app, await signIn(dave, { 'Remote-Email': local.email }), local.email);
    assert.deepEqual(await linksOf(local.id), [dave]);
  });

  test('two identities racing to link the same unlinked account: exactly one wins, the other is refused (account-linked-elsewhere)', async () => {
    app.configure({ ...AUTHELIA, linkByEmailHeader: true });
    const local = await app.createAdmin({ email: `${fresh('shared')}.local@corp.example`, roles: ['strapi-editor'] });
    const contenders = Array.from({ length: 8 }, () => fresh('racer'));
    const before = await snapshot(app);
    const results = await Promise.all(contenders.map((name) => signIn(name, { 'Remote-Email': local.email })));
    const winners = contenders.filter((_, i) => results[i].status === 302);
    const losers = results.filter((res) => res.status !== 302);
    assert.equal(winners.length, 1, `statuses: ${results.map((res) => res.status).join(', ')}`);
    for (const res of losers) {
      assertNoSession(res, 403);
      assert.equal(res.json().error.details.code, 'account-linked-elsewhere');
    }
    assert.deepEqual(await linksOf(local.id), winners, 'the account is linked to the winner only');
    const after = await snapshot(app);
    assert.deepEqual(after.users, before.users, 'no account created or changed');
    // The loser stays out afterwards too.
    const loser = contenders.find((name) => !winners.includes(name))!;
    const again = await snapshot(app);
    await assertRefused(app, again, await signIn(loser, { 'Remote-Email': local.email }), 403, 'account-linked-elsewhere');
  });

  test('userField "email": the identity is the address, and linking by e-mail stays as before', async () => {
    app.configure({ autoCreate: true });
    const local = await app.createAdmin({ email: `${fresh('local')}@corp.example`, roles: ['strapi-editor'] });
    await assertSignedInAs(app, await signIn(local.email), local.email);
    assert.deepEqual(await linksOf(local.id), [local.email]);
  });
});

describe('T18: e-mail sync never rewrites a Super Admin nor another account’s address', () => {
  test('a Super Admin linked to its identity keeps its address when the header asserts another (one warning)', async () => {
    // The owner opts in once so the Super Admin gets linked to its identity…
    app.configure({ ...AUTHELIA, linkByEmailHeader: true });
    const root = fresh('root');
    const admin = await app.createAdmin({ email: `${root}@corp.example`, password: OWNER.password });
    await assertSignedInAs(app, await signIn(root, { 'Remote-Email': admin.email }), admin.email);
    const row = await userRow(admin.email);
    // …later the attribute says something else: the sign-in works, the row does not change.
    app.configure(AUTHELIA);
    const other = `${root}@attacker.example`;
    const warnings = await logLines('warn', async () => {
      await assertSignedInAs(app, await signIn(root, { 'Remote-Email': other }), admin.email);
      await assertSignedInAs(app, await signIn(root, { 'Remote-Email': other }), admin.email);
    });
    assert.deepEqual(await userRow(admin.email), row, 'the Super Admin row changed');
    assert.equal(await userRow(other), null);
    assert.equal(warnings.filter((line) => line.includes(other) && line.includes('Super Admin')).length, 1, warnings.join('\n'));
    assert.equal((await passwordLogin(app, admin.email, OWNER.password)).status, 200);
  });

  test('an address another account uses is never copied (one warning); the identity stays on its own account', async () => {
    const carol = await app.createAdmin({ email: `${fresh('carol')}@corp.example`, roles: ['strapi-editor'] });
    const frank = fresh('frank');
    const own = `${frank}@mail.example`;
    await assertSignedInAs(app, await signIn(frank, { 'Remote-Email': own }), own);
    const rows = [await userRow(carol.email), await userRow(own)];
    const warnings = await logLines('warn', async () => {
      await assertSignedInAs(app, await signIn(frank, { 'Remote-Email': carol.email }), own);
      await assertSignedInAs(app, await signIn(frank, { 'Remote-Email': carol.email }), own);
    });
    assert.deepEqual([await userRow(carol.email), await userRow(own)], rows);
    assert.equal(warnings.filter((line) => line.includes(carol.email)).length, 1, warnings.join('\n'));
  });
});

describe('T19: realms', () => {
  test('a realm not listed is refused (foreign-realm), even when a local account has that user name', async () => {
    app.configure({ userField: 'username', emailDomain: 'corp.example', realms: ['CORP.EXAMPLE'], autoCreate: true });
    const alice = fresh('alice');
    await assertSignedInAs(app, await signIn(`${alice}@CORP.EXAMPLE`), `${alice}@corp.example`);
    const before = await snapshot(app);
    await assertRefused(app, before, await signIn(`${alice}@PARTNER.EXAMPLE`), 403, 'foreign-realm');
    await assertRefused(app, before, await signIn(`${fresh('nobody')}@PARTNER.EXAMPLE`), 403, 'foreign-realm');
  });

  test('no realms listed (the default): every user@REALM is refused', async () => {
    app.configure({ userField: 'username', emailDomain: 'corp.example', autoCreate: true });
    const before = await snapshot(app);
    await assertRefused(app, before, await signIn(`${fresh('kerb')}@CORP.EXAMPLE`), 403, 'foreign-realm');
  });
});

describe('maxNewUsersPerMinute', () => {
  test('over the ceiling a first sign-in is refused with 429 and Retry-After; existing accounts still sign in', async () => {
    const known = fresh('known');
    await assertSignedInAs(app, await signIn(known), `${known}@corp.example`);
    app.configure({ ...AUTHELIA, maxNewUsersPerMinute: 1 });
    // At most one more account this minute (fewer if other tests just created some).
    await signIn(fresh('first'));
    const before = await snapshot(app);
    const res = await signIn(fresh('second'));
    await assertRefused(app, before, res, 429, 'creation-rate-limited');
    const retryAfter = Number(res.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${res.headers['retry-after']}`);
    await assertSignedInAs(app, await signIn(known), `${known}@corp.example`);
  });
});

describe('operator hooks (REMOTE_AUTH_HOOKS=1)', () => {
  const logins = () => ((globalThis as { remoteAuthLogins?: Array<{ id: number; created: boolean; subject: string }> }).remoteAuthLogins ?? []);

  test('a normalizeIdentity hook that throws refuses (invalid-identity) and Strapi keeps serving', async () => {
    const before = await snapshot(app);
    await assertRefused(app, before, await signIn(fresh('hook-throws')), 403, 'invalid-identity');
    const next = fresh('after');
    await assertSignedInAs(app, await signIn(next), `${next}@corp.example`);
  });

  test('an onLogin hook that throws refuses (service-unavailable): no session, and the account it would have created is not left behind', async () => {
    const who = fresh('onlogin-throws');
    const before = await snapshot(app);
    // A new account: refused, and the account created for the attempt is removed again.
    await assertRefused(app, before, await signIn(who), 503, 'service-unavailable');
    // An existing, linked account whose onLogin throws: refused, nothing changes.
    app.configure({ ...AUTHELIA, autoCreate: false });
    const existing = await app.createAdmin({ email: `${who}@corp.example`, roles: ['strapi-editor'] });
    const now = new Date();
    await app.strapi.db.connection('remote_auth_identities').insert({ source: 'header', subject: who, user_id: existing.id, created_at: now, last_seen_at: now });
    const again = await snapshot(app);
    await assertRefused(app, again, await signIn(who), 503, 'service-unavailable');
    await app.strapi.service('admin::user').deleteById(existing.id);
    app.configure(AUTHELIA);
    const next = fresh('after');
    await assertSignedInAs(app, await signIn(next), `${next}@corp.example`);
  });

  test('onLogin sees created: true exactly once for a new account, also under concurrent first sign-ins', async () => {
    const who = fresh('newcomer');
    const responses = await Promise.all([signIn(who), signIn(who), signIn(who)]);
    for (const res of responses) await assertSignedInAs(app, res, `${who}@corp.example`);
    await assertSignedInAs(app, await signIn(who), `${who}@corp.example`);
    const seen = logins().filter((login) => login.subject === who);
    assert.equal(seen.length, 4, JSON.stringify(seen));
    assert.equal(seen.filter((login) => login.created).length, 1, JSON.stringify(seen));
    assert.equal(new Set(seen.map((login) => login.id)).size, 1, 'every sign-in is the same account');
  });
});

describe('an account that appears between the look-up and provisioning is judged as any account the look-up finds', () => {
  // A sign-in finds no account with its address (findForClaim), then someone creates one (an
  // administrator's invitation, another identity) before provision() runs: provision writes
  // nothing (AddressHeld) and the sign-in is planned again, with the same rules as findForClaim,
  // never taking the account over. Driven through the resolver directly, with a first look-up that
  // misses the account, on this app's database, so the window is not left to timing.
  const resolveAs = async (subject: string, email: string, linkByEmail: boolean, emailLinks: boolean, links = createIdentityLinks(app.strapi as unknown as Core.Strapi)) => {
    const strapi = app.strapi as unknown as Core.Strapi;
    const accounts = createAccounts(strapi, links);
    const resolver = createAccountResolver(strapi, accounts, createSuperAdminGate(strapi, createClock()));
    const claim: Claim = { subject, email, username: null, emailLinks, attributes: { email, firstName: null, lastName: null, groups: null } };
    const settings: Settings = { ...defaultSettings(), autoCreate: true, linkByEmail, maxNewUsersPerMinute: 0, defaultRoles: ['strapi-editor'] };
    return resolver.resolve(claim, settings, async () => null);
  };
  const refusalOf = async (work: Promise<unknown>): Promise<string> => {
    try {
      await work;
    } catch (error) {
      if (isRefusal(error)) return error.code;
      throw error;
    }
    return 'signed in';
  };

  for (const [label, linkByEmail, emailLinks] of [
    ['linkByEmail off', false, true],
    ['an address that may not link (attribute header, unverified)', true, false],
  ] as const) {
    test(`${label}: an unlinked account that appeared meanwhile is refused (account-not-linked), not linked`, async () => {
      const email = `${fresh('late')}@corp.example`;
      await app.createAdmin({ email, roles: ['strapi-editor'] });
      const user = (await userRow(email))!;
      const before = await userCount(app);
      assert.equal(await refusalOf(resolveAs(fresh('late-identity'), email, linkByEmail, emailLinks)), 'account-not-linked');
      assert.deepEqual(await linksOf(user.id), []);
      assert.equal(await userCount(app), before);
    });
  }

  test('an account linked meanwhile to another identity of this source: provision refuses (account-linked-elsewhere) and creates nothing', async () => {
    const email = `${fresh('taken')}@corp.example`;
    const before = await userCount(app);
    const real = createIdentityLinks(app.strapi as unknown as Core.Strapi);
    // The unique index on (source, user_id) refused the row: claim() answers null.
    const links = { ...real, claim: async () => null };
    const accounts = createAccounts(app.strapi as unknown as Core.Strapi, links as unknown as typeof real);
    const claim: Claim = { subject: fresh('taken-identity'), email, username: null, emailLinks: true, attributes: { email, firstName: null, lastName: null, groups: null } };
    assert.equal(await refusalOf(accounts.provision(claim, { maxNewUsersPerMinute: 0, linkByEmail: true } as unknown as Settings, [])), 'account-linked-elsewhere');
    assert.equal(await userCount(app), before, 'the account it created was not rolled back');
  });

  test('an account linked to another identity of this source is refused by the check itself, not only by the unique index', async () => {
    const email = `${fresh('held')}@corp.example`;
    await app.createAdmin({ email, roles: ['strapi-editor'] });
    const user = (await userRow(email))!;
    const real = createIdentityLinks(app.strapi as unknown as Core.Strapi);
    const holder = fresh('holder-identity');
    assert.equal(await real.linkAccount('header', holder, user.id), true);
    // A link table that would take any row (as if its (source, user_id) index were missing).
    const links = { ...real, claim: async (_source: string, _subject: string, userId: number) => Number(userId), linkAccount: async () => true };
    assert.equal(await refusalOf(resolveAs(fresh('intruder'), email, true, true, links as unknown as typeof real)), 'account-linked-elsewhere');
    assert.deepEqual(await linksOf(user.id), [holder]);
  });

  test('an account linked to the same subject of another source (a signed assertion) is not the header identity\'s own', async () => {
    const email = `${fresh('other-source')}@corp.example`;
    await app.createAdmin({ email, roles: ['strapi-editor'] });
    const user = (await userRow(email))!;
    const subject = fresh('same-subject');
    assert.equal(await createIdentityLinks(app.strapi as unknown as Core.Strapi).linkAccount('oidc:issuer', subject, user.id), true);
    assert.equal(await refusalOf(resolveAs(subject, email, true, true)), 'account-linked-elsewhere');
    assert.deepEqual(await linksOf(user.id), [subject]);
  });

  test('linkAccount to an account that already holds an identity of this source answers false, not an error', async () => {
    const links = createIdentityLinks(app.strapi as unknown as Core.Strapi);
    const email = `${fresh('holder')}@corp.example`;
    await app.createAdmin({ email, roles: ['strapi-editor'] });
    const user = (await userRow(email))!;
    assert.equal(await links.linkAccount('header', fresh('first'), user.id), true);
    assert.equal(await links.linkAccount('header', fresh('second'), user.id), false);
    assert.equal((await linksOf(user.id)).length, 1);
  });

  test('a link left behind by an admin user deleted behind Strapi’s back is forgotten: the identity gets a new account', async () => {
    const who = fresh('ghost');
    await assertSignedInAs(app, await signIn(who), `${who}@corp.example`);
    const old = (await userRow(`${who}@corp.example`))!;
    await app.strapi.db.connection('admin_users').where({ id: old.id }).delete(); // no lifecycle event
    const res = await signIn(who);
    await assertSignedInAs(app, res, `${who}@corp.example`);
    const now = (await userRow(`${who}@corp.example`))!;
    assert.notEqual(now.id, old.id);
    assert.equal((await linksOf(now.id)).length, 1);
  });

  test('an account linked meanwhile to this very identity (its first sign-in on another instance) is its own: no refusal, nothing created', async () => {
    const subject = fresh('twice');
    const email = `${subject}@corp.example`;
    await app.createAdmin({ email, roles: ['strapi-editor'] });
    const user = (await userRow(email))!;
    assert.equal(await createIdentityLinks(app.strapi as unknown as Core.Strapi).linkAccount('header', subject, user.id), true);
    const before = await userCount(app);
    // linkByEmail off: were the account taken for someone else's, this would be account-not-linked.
    const resolved = await resolveAs(subject, email, false, true);
    assert.deepEqual([Number(resolved.user.id), resolved.created], [Number(user.id), false]);
    assert.equal(await userCount(app), before);
    assert.deepEqual(await linksOf(user.id), [subject]);
  });

  test('concurrent first sign-ins of one identity in one process share one creation and one slot of maxNewUsersPerMinute', async () => {
    // A fresh accounts module: its ceiling has no slot taken yet, so one creation fits and a second would be refused.
    const accounts = createAccounts(app.strapi as unknown as Core.Strapi, createIdentityLinks(app.strapi as unknown as Core.Strapi));
    const subject = fresh('burst');
    const email = `${subject}@corp.example`;
    const claim: Claim = { subject, email, username: null, emailLinks: true, attributes: { email, firstName: null, lastName: null, groups: null } };
    const roles = (await app.strapi.db.query('admin::role').findMany({ where: { code: 'strapi-editor' }, select: ['id', 'code', 'name'] })) as AdminRole[];
    const settings = { maxNewUsersPerMinute: 1, linkByEmail: true } as unknown as Settings;
    const results = await Promise.all([1, 2, 3].map(() => accounts.provision(claim, settings, roles)));
    assert.deepEqual(results.map((result) => result.created).sort(), [false, false, true]);
    assert.equal(new Set(results.map((result) => Number(result.user.id))).size, 1);
    assert.deepEqual(await linksOf(results[0].user.id), [subject]);
  });
});

