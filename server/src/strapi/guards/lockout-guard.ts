import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import type { CompiledSettings } from '../../settings-schema/compile';
import type { SettingsIssue } from '../../settings-schema/schema';
import type { Accounts, AdminUser } from '../accounts/accounts';
import type { AccountResolver } from '../sign-in/account-resolver';
import type { IdentityLinks } from '../accounts/identity-links';
import type { SignIn } from '../sign-in/sign-in';

/** Options that decide whether this browser's identity is accepted. */
const SSO_KEYS = ['enabled', 'assertion', 'header', 'trustedProxies', 'sharedSecret', 'userField', 'emailDomain', 'realms'] as const;

interface Dependencies {
  readonly strapi: Core.Strapi;
  readonly accounts: Accounts;
  readonly links: IdentityLinks;
  readonly signIn: SignIn;
  readonly resolver: AccountResolver;
}

/**
 * Refuses a settings change that would lock the administrator making it out:
 * after the change they must still be able to sign in, either through this
 * browser's trusted identity or with their password. Turning password login
 * off additionally requires that this browser already signs in through the
 * proxy — prove single sign-on works before removing the fallback.
 */
export function createLockoutGuard({ strapi, accounts, links, signIn, resolver }: Dependencies) {
  /** Would this browser's identity sign in as `user` under these settings? (The sign-in's own dry run.) */
  async function ssoSignsIn(ctx: Context, compiled: CompiledSettings, user: AdminUser): Promise<boolean> {
    if (!compiled.settings.enabled) return false;
    try {
      const assertion = await signIn.assertIdentity(ctx, compiled);
      if (assertion.state !== 'asserted') return false;
      const plan = await resolver.plan(assertion.claim, compiled.settings);
      return plan.action === 'sign-in' && Number(plan.match.user.id) === Number(user.id);
    } catch {
      return false;
    }
  }

  async function passwordSignsIn(compiled: CompiledSettings, user: AdminUser): Promise<boolean> {
    const row = (await strapi.db.query('admin::user').findOne({ where: { id: user.id }, select: ['id', 'password'] })) as
      | { password?: string | null }
      | null;
    if (!row?.password) return false;
    return compiled.settings.allowPasswordLogin || accounts.isSuperAdmin(user) || !(await links.hasIdentity(user.id));
  }

  return async function lockoutProblem(
    ctx: Context,
    user: AdminUser,
    before: CompiledSettings,
    after: CompiledSettings,
  ): Promise<SettingsIssue | null> {
    if (before.settings.allowPasswordLogin && !after.settings.allowPasswordLogin && !(await ssoSignsIn(ctx, after, user))) {
      return {
        key: 'allowPasswordLogin',
        message:
          'cannot be turned off from a browser that is not signed in through the proxy: you could lock yourself out. ' +
          'Open the admin through your single sign-on first, then change this.',
      };
    }
    const couldSignIn = (await ssoSignsIn(ctx, before, user)) || (await passwordSignsIn(before, user));
    const canSignIn = (await ssoSignsIn(ctx, after, user)) || (await passwordSignsIn(after, user));
    if (couldSignIn && !canSignIn) {
      const changed = SSO_KEYS.find((key) => JSON.stringify(before.settings[key]) !== JSON.stringify(after.settings[key])) ?? 'enabled';
      return {
        key: changed,
        message:
          'would lock you out: your account has no password and this browser’s identity would no longer be accepted. ' +
          'Check the value, or give your account a password first.',
      };
    }
    return null;
  };
}

export type LockoutGuard = ReturnType<typeof createLockoutGuard>;
