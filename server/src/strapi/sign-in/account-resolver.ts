import type { Core } from '@strapi/strapi';
import type { Claim } from '../../pipeline/claim';
import { assertGroupsAllowed, decide } from '../../pipeline/policy';
import { isRefusal } from '../../pipeline/refusal';
import type { Settings } from '../../settings-schema/schema';
import { AddressHeld, type AccountMatch, type Accounts, type AdminRole, type AdminUser } from '../accounts/accounts';
import { sameRoles } from '../accounts/admin-user';
import { logLine } from '../../pipeline/log-text';
import type { SuperAdminGate } from '../accounts/super-admin-gate';

/** What a sign-in of this claim would do, decided without writing anything. */
export type AccountPlan =
  | { readonly action: 'sign-in'; readonly match: AccountMatch; readonly activate: boolean }
  | { readonly action: 'provision'; readonly roles: AdminRole[] };

export interface ResolvedAccount {
  readonly user: AdminUser;
  readonly created: boolean;
  /** The roles an existing account had before this sign-in synced them (absent for new accounts). */
  readonly previousRoles?: readonly AdminRole[];
  /** This sign-in linked the identity to the existing account by its e-mail (taken back if the sign-in fails). */
  readonly linked?: boolean;
}

/** How to look the claim's account up: straight from the database, or through strict mode's cache. */
export type FindAccount = (claim: Claim) => Promise<AccountMatch | null>;

/**
 * policy → accounts, in two steps: `plan` decides (group gates, lookup,
 * blocked/inactive, roles of a new account) and only reads; `carryOut` does
 * what the plan says (create, link, activate, sync). Sign-in runs both;
 * "Check this connection" runs `plan` alone, so the check and the real
 * sign-in can never disagree. No account is created while the app has no
 * Super Admin (`no-super-admin`); existing accounts still sign in.
 */
export function createAccountResolver(strapi: Core.Strapi, accounts: Accounts, superAdmins: SuperAdminGate) {
  async function plan(claim: Claim, options: Settings, find?: FindAccount): Promise<AccountPlan> {
    assertGroupsAllowed(claim.attributes.groups, options, claim.subject);
    const match = await (find ? find(claim) : accounts.findForClaim(claim, options.linkByEmail));
    const account = match && { isActive: match.user.isActive === true, blocked: match.user.blocked === true };
    const decision = decide(account, options, claim.email);
    if (decision.action === 'provision') {
      await superAdmins.assertCreationAllowed(claim.subject);
      return { action: 'provision', roles: await accounts.rolesForNewUser(claim, options) };
    }
    return { action: 'sign-in', match: match as AccountMatch, activate: decision.activate };
  }

  /**
   * Runs a write whose roles came from the role list, which is kept a few seconds: another
   * instance may have deleted one of them since. When the write fails (not a refusal), the list is
   * forgotten and `again` decides what to do with the roles read afresh.
   */
  async function withRolesReadAgain<T>(write: () => Promise<T>, again: (error: unknown) => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isRefusal(error) || error instanceof AddressHeld) throw error;
      accounts.forgetRoles();
      return again(error);
    }
  }

  /**
   * Creates the account with the planned roles; when that fails, tries once more if the roles a new
   * account gets, read again, changed (a default role that is gone refuses the sign-in, `no-role`).
   */
  const provisionWith = (claim: Claim, options: Settings, roles: AdminRole[]) =>
    withRolesReadAgain(
      () => accounts.provision(claim, options, roles),
      async (error) => {
        const current = await accounts.rolesForNewUser(claim, options);
        if (sameRoles(current, roles)) throw error;
        return accounts.provision(claim, options, current);
      },
    );

  async function carryOut(planned: AccountPlan, claim: Claim, options: Settings): Promise<ResolvedAccount> {
    if (planned.action === 'provision') {
      const provisioned = await provisionWith(claim, options, planned.roles);
      if (provisioned.created) {
        const roles = (provisioned.user.roles ?? []).map((role) => role.code).join(', ');
        strapi.log.info(logLine`[remote-auth] created admin user ${provisioned.user.id} for "${claim.subject}" with roles ${roles}`);
      }
      return provisioned;
    }
    const { match, activate } = planned;
    const linked = match.via === 'email' && (await accounts.link(claim, match.user));
    if (activate) {
      strapi.log.info(logLine`[remote-auth] activating inactive admin user ${match.user.id} ("${claim.subject}") because allowInactive is on`);
    }
    // Once more when a write fails: the sync plans the roles itself, with the list read again, and looks the
    // address up again (one the e-mail's unique index refused is another account's now: it is left).
    const sync = () => accounts.sync(match.user, claim, options, activate);
    try {
      return { user: await withRolesReadAgain(sync, sync), created: false, previousRoles: match.user.roles ?? [], linked };
    } catch (error) {
      // Refused (no-role) or failed: a link this sign-in wrote does not outlive it.
      if (linked) await accounts.unlink(claim, match.user);
      throw error;
    }
  }

  /**
   * `plan`, then `carryOut`. When an account took the claim's address after the plan looked (another
   * instance, Settings → Users: provision says `AddressHeld`, having written nothing), planned once
   * more, straight from the database: that account is then linked, activated or refused as any
   * account the look-up finds (assertLinkable, decide), never signed in unchecked.
   */
  async function resolve(claim: Claim, options: Settings, find?: FindAccount): Promise<ResolvedAccount> {
    try {
      return await carryOut(await plan(claim, options, find), claim, options);
    } catch (error) {
      if (!(error instanceof AddressHeld)) throw error;
      return carryOut(await plan(claim, options), claim, options);
    }
  }

  /** Takes back a link the sign-in wrote (`ResolvedAccount.linked`) when it fails after `resolve`. */
  const unlink = (claim: Claim, resolved: ResolvedAccount): Promise<void> => accounts.unlink(claim, resolved.user);

  return { plan, carryOut, resolve, unlink };
}

export type AccountResolver = ReturnType<typeof createAccountResolver>;
