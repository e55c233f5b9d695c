import type { Core } from '@strapi/strapi';
import type { Claim } from '../../pipeline/claim';
import type { Settings } from '../../settings-schema/schema';
import { Refusal, isRefusal } from '../../pipeline/refusal';
import { createCreationCeiling } from '../../pipeline/creation-ceiling';
import { createAddressLock } from './address-lock';
import { createEmailLookup } from './email-lookup';
import { LINK_SOURCE, LINKS_TABLE, type IdentityLinks, type LinkedIdentity } from './identity-links';
import { logLine } from '../../pipeline/log-text';
import { hasSuperAdminRole, type AccountMatch, type AdminRole, type AdminUser, type Provisioned } from './admin-user';
import { oncePerChange } from './once-per-change';
import { retrying } from './retrying';
import { createRolePlanner } from './role-plan';
import { createClock, type Clock } from '../infrastructure/clock';

export type { AccountMatch, AdminRole, AdminUser, Provisioned } from './admin-user';

/** The identity-link namespace of a claim: "header" unless a signed assertion's opaque id says otherwise (claim.ts). */
const sourceOf = (claim: Claim): string => claim.source ?? LINK_SOURCE;

/** Thrown inside the provisioning transaction when another request linked the identity first. */
class LostRace extends Error {
  constructor(readonly winner: number) {
    super('identity linked concurrently');
  }
}

/**
 * Thrown by `provision` when the address turned out to be an existing account's: nothing was
 * written, and the sign-in is planned again (account-resolver.ts), which finds that account.
 */
export class AddressHeld extends Error {
  constructor(readonly holder: number) {
    super(`the address is admin user ${holder}'s`);
  }
}

/** Thrown inside e-mail sync's transaction when the address turned out to be another account's. */
class AddressTaken extends Error {
  constructor(readonly holder: number) {
    super('address taken');
  }
}

const accountNotLinked = (claim: Claim, linkByEmail: boolean): Refusal =>
  new Refusal(
    'account-not-linked',
    linkByEmail && claim.emailLinkRefusal
      ? `an admin account with e-mail ${claim.email} exists but was never linked to "${claim.subject}", and ${claim.emailLinkRefusal}`
      : linkByEmail
      ? `an admin account with e-mail ${claim.email} exists but was never linked to "${claim.subject}", and that address came from the e-mail ` +
          'attribute header, which never links to an existing account unless linkByEmailHeader is on (the person may be able to edit it at the identity provider)'
      : `an admin account with e-mail ${claim.email} exists but was never linked to "${claim.subject}", and linkByEmail is off`,
    'An account with your e-mail address already exists. Ask an administrator to link it.',
  );

const addressTaken = (claim: Claim, taken: { id: number; email: string }): Refusal =>
  new Refusal(
    'account-not-linked',
    `admin user ${taken.id} has the address ${taken.email}, which the database's collation compares as equal to ${claim.email} (it ignores accents and folds ß); ` +
      `it is another mailbox, so "${claim.subject}" is not linked to it, and no second account is made with an address Strapi's password login would take for that one`,
    'An account with your e-mail address already exists. Ask an administrator to link it.',
  );

const linkedElsewhere = (claim: Claim, userId: number, holder: LinkedIdentity): Refusal =>
  new Refusal(
    'account-linked-elsewhere',
    `"${claim.subject}" asserts the e-mail ${claim.email}, whose admin account (user ${userId}) is linked to the identity "${holder.subject}"; ` +
      'an account is signed in by the identity linked to it and by no other. If that person\'s identity really changed, delete the old row ' +
      `from ${LINKS_TABLE} (source "${holder.source}", subject "${holder.subject}")`,
    'Your e-mail address belongs to an account that is linked to someone else. Please contact an administrator.',
  );

/**
 * Finds, creates and activates admin users through Strapi's own `admin::user`
 * service, so Strapi's events and invariants apply. Identities are looked up
 * through their link first (a stable key), then by e-mail.
 */
export function createAccounts(strapi: Core.Strapi, links: IdentityLinks, clock: Clock = createClock()) {
  const users = () => strapi.service('admin::user');
  /** One provisioning per identity at a time in this process; concurrent first logins share it. */
  const provisioning = new Map<string, Promise<Provisioned>>();
  /** Likewise for linking an existing account by e-mail. */
  const linking = new Map<string, Promise<boolean>>();
  const ceiling = createCreationCeiling();
  const changed = oncePerChange();
  const emails = createEmailLookup(strapi, clock);
  const addresses = createAddressLock(strapi);

  const roles = createRolePlanner(strapi, changed, clock);
  const planRoles = roles.plan;

  const isSuperAdmin = (user: AdminUser): boolean => hasSuperAdminRole(user);

  /** The refusal for an account that another identity linked first (read after losing the race). */
  async function linkedElsewhereNow(claim: Claim, userId: number, trx?: unknown): Promise<Refusal> {
    const holder = (await links.identitiesOf(userId, trx as never)).find((identity) => identity.subject !== claim.subject);
    return linkedElsewhere(claim, userId, holder ?? { source: sourceOf(claim), subject: '(another identity)' });
  }

  /** Writes `patch` to the account through Strapi's service and reads it back (as it is when nothing is to write). */
  async function write(user: AdminUser, patch: Record<string, unknown>): Promise<AdminUser> {
    if (Object.keys(patch).length === 0) return user;
    await users().updateById(user.id, patch);
    return (await findById(user.id)) as AdminUser;
  }

  function notCopied(claim: Claim, user: AdminUser, holder: number): void {
    if (changed(`email:${user.id}`, claim.email)) {
      strapi.log.warn(logLine`[remote-auth] "${claim.subject}": e-mail ${claim.email} belongs to admin user ${holder}; not copied to user ${user.id}`);
    }
  }

  async function findById(id: number): Promise<AdminUser | null> {
    return ((await strapi.db.query('admin::user').findOne({ where: { id }, populate: ['roles'] })) as AdminUser | null) ?? null;
  }

  /**
   * May this claim, which had no link when it was looked up, be linked to
   * `account`, the admin user with its e-mail address? (T18, the CVE-2023-3128 class.)
   * - never when the account is linked to another identity;
   * - always when it is linked to this very identity (since the look-up);
   * - never when linkByEmail is off;
   * - never when the address came from the e-mail attribute header, unless
   *   linkByEmailHeader is on (claim.emailLinks);
   * - never from a signed assertion whose identity is not the e-mail unless
   *   its `email_verified` is true (claim.emailLinks, assertion-claim.ts).
   */
  async function assertLinkable(claim: Claim, account: AdminUser, linkByEmail: boolean): Promise<AdminUser> {
    const identities = await links.identitiesOf(account.id);
    const isClaims = (identity: LinkedIdentity) => identity.source === sourceOf(claim) && identity.subject === claim.subject;
    const holder = identities.find((identity) => !isClaims(identity));
    if (holder) throw linkedElsewhere(claim, account.id, holder);
    if (identities.length > 0) return account; // linked a moment ago by this identity's first sign-in elsewhere
    if (!linkByEmail || !claim.emailLinks) throw accountNotLinked(claim, linkByEmail);
    return account;
  }

  /** Why a new account is not made for `claim`: the address is `taken`'s, the same one or only equal under the collation. */
  const heldBy = (claim: Claim, taken: { id: number; email: string }): Error =>
    taken.email.toLowerCase() !== claim.email ? addressTaken(claim, taken) : new AddressHeld(taken.id);

  /**
   * Creates the user and claims the identity in one transaction. When the
   * address turns out to be an existing account's — one written since the
   * sign-in looked (another instance, Settings → Users) — nothing is written
   * and `AddressHeld` sends the sign-in back to its plan, which finds that
   * account and links it or refuses by the usual rules. The e-mail's unique
   * index (email-lookup.ts) refuses the second account; without it, the
   * address's lock (address-lock.ts) is taken and the address looked up
   * first. If another request (here or on another instance) claimed the
   * identity first, the links' unique index makes us wait for it, we roll back
   * our user and take theirs.
   */
  async function provisionOnce(claim: Claim, roles: AdminRole[]): Promise<Provisioned> {
    try {
      return await strapi.db.transaction(async ({ trx }) => {
        if (!emails.guardsAddresses()) {
          await addresses.hold(claim.email, trx);
          const taken = await emails.findTaken(claim.email, trx);
          if (taken) throw heldBy(claim, taken);
        }
        const user = (await users().create({
          email: claim.email,
          firstname: claim.attributes.firstName ?? claim.username ?? claim.email.slice(0, claim.email.indexOf('@')),
          lastname: claim.attributes.lastName,
          username: claim.username,
          roles: roles.map((role) => role.id),
          isActive: true,
          registrationToken: null,
        })) as AdminUser;
        const holder = await links.claim(sourceOf(claim), claim.subject, user.id, trx as never, true);
        if (holder === null) throw await linkedElsewhereNow(claim, user.id, trx);
        if (holder !== Number(user.id)) throw new LostRace(holder);
        return { user, created: true };
      });
    } catch (error) {
      if (error instanceof LostRace) {
        const winner = await findById(error.winner);
        if (!winner) throw new Error(`identity "${claim.subject}" is linked to admin user ${error.winner}, which does not exist`);
        return { user: winner, created: false };
      }
      if (isRefusal(error) || error instanceof AddressHeld) throw error;
      // A failed write whose address is taken now: the unique index refused it (also on an instance that
      // booted without the index, once another made it). Anything else is the error it is.
      const taken = await emails.findTaken(claim.email);
      throw taken ? heldBy(claim, taken) : error;
    }
  }

  /**
   * The asserted address, when sync may copy it onto `user`: never onto a Super Admin, now or by
   * the roles this sign-in gives (whose address is the owner's password-login fallback), nor an
   * address that is another account's in Strapi's eyes (its password login looks addresses up
   * so, not only byte for byte). Either refusal is logged once per change.
   */
  async function addressFor(user: AdminUser, claim: Claim, roles: AdminRole[] | null): Promise<string | null> {
    if (isSuperAdmin(user) || (roles !== null && isSuperAdmin({ ...user, roles }))) {
      if (changed(`email:${user.id}`, claim.email)) {
        strapi.log.warn(
          logLine`[remote-auth] "${claim.subject}" asserts the e-mail ${claim.email}; not copied to admin user ${user.id} (${user.email}), a Super Admin: change a Super Admin's address in Settings → Users`,
        );
      }
      return null;
    }
    const other = await emails.findTaken(claim.email, undefined, user.id);
    if (!other) return claim.email;
    notCopied(claim, user, other.id);
    return null;
  }

  return {

    /**
     * The admin user this claim maps to, read-only: its link first (a stable
     * key, so an e-mail change cannot point it at someone else's account),
     * then the account with the same e-mail when assertLinkable allows it.
     * An e-mail match is not linked yet: `link()` does that once the policy
     * has said yes.
     */
    async findForClaim(claim: Claim, linkByEmail = true): Promise<AccountMatch | null> {
      // Both keys in one round trip: a first sign-in needs both, a returning one costs an index probe more.
      const keys = (await strapi.db.connection.first({
        linked: links.holderQuery(sourceOf(claim), claim.subject),
        by_email: emails.query(claim.email),
      })) as { linked: number | string | null; by_email: number | string | null } | undefined;
      if (keys?.linked != null) {
        const user = await findById(Number(keys.linked));
        if (user) return { user, via: 'link' };
        await links.forgetUser(keys.linked); // the admin user was deleted
      }
      const byEmail = keys?.by_email == null ? null : await findById(Number(keys.by_email));
      return byEmail && { user: await assertLinkable(claim, byEmail, linkByEmail), via: 'email' };
    },

    /**
     * Links the identity to the account its e-mail matched, before the first
     * session. The unique index decides a race between two identities for the
     * same account: the loser is refused, never signed in (T18). True for the
     * one caller that wrote the link (the one to `unlink` it if its sign-in fails).
     */
    async link(claim: Claim, user: AdminUser): Promise<boolean> {
      // Concurrent first sign-ins of one person in this process share one claim.
      const key = `${claim.subject}\n${user.id}`;
      const shared = linking.get(key);
      if (shared) {
        if (!(await shared)) throw await linkedElsewhereNow(claim, user.id);
        return false;
      }
      const pending = retrying(() => links.linkAccount(sourceOf(claim), claim.subject, user.id)).finally(() => linking.delete(key));
      linking.set(key, pending);
      if (!(await pending)) throw await linkedElsewhereNow(claim, user.id);
      strapi.log.info(logLine`[remote-auth] linked "${claim.subject}" to existing admin user ${user.id} by its e-mail address`);
      return true;
    },

    /** Takes back the link `link` wrote, for a sign-in refused or failed after it: nothing of it outlives the attempt. */
    async unlink(claim: Claim, user: AdminUser): Promise<void> {
      try {
        await links.unlink(sourceOf(claim), claim.subject, user.id);
        strapi.log.warn(logLine`[remote-auth] unlinked "${claim.subject}" from admin user ${user.id}, linked by its e-mail address a moment ago, because the sign-in did not complete`);
      } catch (error) {
        strapi.log.error(logLine`[remote-auth] could not unlink "${claim.subject}" from admin user ${user.id} after a sign-in that did not complete: ${(error as Error).message}`);
      }
    },

    /**
     * Creates a password-less, active admin user (password login always fails
     * for it). `created` is true for exactly one caller per new account.
     * At most maxNewUsersPerMinute creations per minute on this instance.
     */
    provision(claim: Claim, options: Settings, roles: AdminRole[]): Promise<Provisioned> {
      const pending = provisioning.get(claim.subject);
      if (pending) return pending.then(({ user }) => ({ user, created: false }));
      const creation = (async () => {
        const release = ceiling.reserve(options.maxNewUsersPerMinute, claim.subject);
        let provisioned: Provisioned | null = null;
        try {
          provisioned = await retrying(() => provisionOnce(claim, roles));
          return provisioned;
        } finally {
          if (!provisioned?.created) release();
        }
      })().finally(() => provisioning.delete(claim.subject));
      provisioning.set(claim.subject, creation);
      return creation;
    },

    /**
     * Brings an existing account in line with the proxy: activation (allowInactive),
     * names and e-mail from the attribute headers, roles from the groups; a
     * pending invitation or password reset is withdrawn (its link no longer works).
     * The e-mail only as addressFor allows.
     */
    async sync(user: AdminUser, claim: Claim, options: Settings, activate: boolean): Promise<AdminUser> {
      const patch: Record<string, unknown> = {};
      if (activate) patch.isActive = true;
      // A pending invitation or password reset: its link would let whoever holds it set a password on the identity's account.
      if (activate || user.registrationToken) patch.registrationToken = null;
      if (user.resetPasswordToken) patch.resetPasswordToken = null;
      const { firstName, lastName } = claim.attributes;
      if (firstName && firstName !== user.firstname) patch.firstname = firstName;
      if (lastName && lastName !== user.lastname) patch.lastname = lastName;
      const roles = await planRoles(user, claim, options);
      if (roles) {
        patch.roles = roles.map((role) => role.id);
        strapi.log.info(logLine`[remote-auth] "${claim.subject}": roles set to ${roles.map((r) => r.code).join(', ')}`);
      }
      const address = claim.email !== user.email.toLowerCase() ? await addressFor(user, claim, roles) : null;
      if (address === null) return write(user, patch);
      // The e-mail's unique index refuses the write when another account took the address since addressFor
      // looked; the resolver then runs the sync once more (withRolesReadAgain), whose addressFor finds the holder.
      if (emails.guardsAddresses()) return write(user, { ...patch, email: address });
      // Without the unique index: written under the address's lock (address-lock.ts), once the address is still free in Strapi's eyes.
      try {
        return await retrying(() =>
          strapi.db.transaction(async ({ trx }) => {
            await addresses.hold(address, trx);
            const other = await emails.findTaken(address, trx, user.id);
            if (other) throw new AddressTaken(other.id); // rolls the lock back: nothing is written for an address not copied
            return write(user, { ...patch, email: address });
          }),
        );
      } catch (error) {
        if (!(error instanceof AddressTaken)) throw error;
        notCopied(claim, user, error.holder);
        return write(user, patch);
      }
    },

    /** The roles a new account for this claim would get (refuses like a sign-in would). */
    async rolesForNewUser(claim: Claim, options: Settings): Promise<AdminRole[]> {
      return (await planRoles(null, claim, options)) as AdminRole[];
    },

    forgetRoles: roles.forget,

    isSuperAdmin,

    /** Boot: the index first sign-ins look e-mail addresses up with, and the lock every address write takes. */
    async prepareAddresses(): Promise<void> {
      await emails.ensureIndex();
      await addresses.prepare();
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
