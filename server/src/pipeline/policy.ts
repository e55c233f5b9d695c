import { inAnyGroup } from './group-roles';
import { Refusal } from './refusal';

/** What the policy needs to know about an existing admin account. */
export interface AccountState {
  readonly isActive: boolean;
  readonly blocked: boolean;
}

export interface AccountRules {
  readonly autoCreate: boolean;
  readonly allowInactive: boolean;
}

export type Decision =
  | { readonly action: 'sign-in'; readonly activate: boolean }
  | { readonly action: 'provision' };

/**
 * Django's `RemoteUserBackend.user_can_authenticate` plus Nautobot's
 * REMOTE_AUTH_AUTO_CREATE_USER, as one function:
 * - no account → create it when `autoCreate`, else refuse;
 * - blocked → always refused;
 * - inactive → refused unless `allowInactive` (then the sign-in activates it,
 *   because Strapi's own admin strategy ignores inactive users).
 */
export function decide(account: AccountState | null, rules: AccountRules, who: string): Decision {
  if (account === null) {
    if (rules.autoCreate) return { action: 'provision' };
    throw new Refusal(
      'unknown-user',
      `no admin user matches "${who}" and autoCreate is off; invite the user in Settings → Users or enable autoCreate`,
      'There is no Strapi admin account for you. Ask an administrator to invite you.',
    );
  }
  if (account.blocked) {
    throw new Refusal('blocked-user', `admin user "${who}" is blocked`, 'Your Strapi admin account is blocked.');
  }
  if (!account.isActive) {
    if (rules.allowInactive) return { action: 'sign-in', activate: true };
    throw new Refusal(
      'inactive-user',
      `admin user "${who}" is inactive; activate it in Settings → Users or set allowInactive: true`,
      'Your Strapi admin account is not active.',
    );
  }
  return { action: 'sign-in', activate: false };
}

export interface GroupRules {
  readonly requireGroups: readonly string[];
  readonly denyGroups: readonly string[];
}

/**
 * Nextcloud-style gates: with `requireGroups`, only members of a listed group
 * may sign in (an absent groups header proves no membership); a member of any
 * `denyGroups` group may not.
 */
export function assertGroupsAllowed(groups: readonly string[] | null, rules: GroupRules, who: string): void {
  if (rules.denyGroups.length > 0 && groups === null) {
    // Fail closed: without the groups header membership of a denied group cannot be ruled out.
    throw new Refusal('group-denied', `denyGroups is set but the proxy sent no groups header for "${who}"`, 'Your group membership could not be checked.');
  }
  if (rules.denyGroups.length > 0 && groups !== null && inAnyGroup(groups, rules.denyGroups)) {
    throw new Refusal('group-denied', `"${who}" is in a group listed in denyGroups`, 'Your group membership does not allow access to this Strapi admin.');
  }
  if (rules.requireGroups.length > 0 && (groups === null || !inAnyGroup(groups, rules.requireGroups))) {
    throw new Refusal(
      'group-required',
      `"${who}" is in none of requireGroups (${rules.requireGroups.join(', ')})${groups === null ? '; the proxy sent no groups header' : ''}`,
      'You are not in a group that may use this Strapi admin.',
    );
  }
}
