import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { credentialField, type SessionRoute } from '../../pipeline/admin-route';
import { Refusal } from '../../pipeline/refusal';
import type { Accounts, AdminUser } from '../accounts/accounts';
import type { IdentityLinks } from '../accounts/identity-links';
import type { PluginSessions } from '../sessions/plugin-sessions';
import type { RefusalAnswers } from '../http/refusal-answers';
import { refreshCookieSession } from '../sessions/sessions';
import { adminPath } from '../infrastructure/settings-store';

interface Dependencies {
  readonly answers: RefusalAnswers;
  readonly strapi: Core.Strapi;
  readonly accounts: Accounts;
  readonly links: IdentityLinks;
  readonly sessions: PluginSessions;
}

const bodyOf = (ctx: Context): unknown => (ctx.request as unknown as { body?: unknown }).body;
const bodyField = (ctx: Context, field: string): string | null => {
  const value = (bodyOf(ctx) as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' && value !== '' ? value : null;
};

/**
 * With `allowPasswordLogin: false`, accounts that sign in through the proxy
 * get no admin session by any password route (T20): password login (e-mail in
 * the body or, as passport-local also reads it, the query string), invitation
 * registration, password reset (and the reset e-mail), and renewing a session
 * that did not come from this plugin. `register-admin` only ever creates the
 * first administrator, so it has no linked account to protect. Super admins
 * keep their password: the documented break-glass path when the proxy or the
 * identity provider is down. Returns true when the request may proceed.
 */
export function createPasswordLoginGuard({ answers, strapi, accounts, links, sessions }: Dependencies) {
  const userWhere = async (where: Record<string, string | number>): Promise<AdminUser | null> =>
    ((await strapi.db.query('admin::user').findOne({ where, populate: ['roles'] })) as AdminUser | null) ?? null;

  /**
   * The account Strapi itself would find for this address: its login lower-cases
   * with JavaScript's rules (lodash `toLower`) and then matches exactly, and
   * forgot-password matches the address as given. Looking the address up any
   * other way — e.g. the database's case-insensitive LOWER(), which on SQLite
   * folds ASCII only — would miss `\u212Aate@…` (Kelvin sign), which Strapi
   * lower-cases to `kate@…` and signs in (T20).
   */
  async function accountByAddress(email: string): Promise<AdminUser | null> {
    for (const candidate of new Set([email.toLowerCase(), email])) {
      const user = await userWhere({ email: candidate });
      if (user) return user;
    }
    return null;
  }

  /** The existing account the request would get a session for (or, for forgot-password, a reset e-mail). */
  async function accountFor(ctx: Context, route: SessionRoute): Promise<AdminUser | null> {
    switch (route) {
      case 'login': {
        const email = credentialField(bodyOf(ctx), ctx.query, 'email');
        return email ? accountByAddress(email) : null;
      }
      case 'forgot-password': {
        const email = bodyField(ctx, 'email');
        return email ? accountByAddress(email) : null;
      }
      case 'reset-password': {
        const token = bodyField(ctx, 'resetPasswordToken');
        return token ? userWhere({ resetPasswordToken: token }) : null;
      }
      case 'register': {
        const token = bodyField(ctx, 'registrationToken');
        return token ? userWhere({ registrationToken: token }) : null;
      }
      case 'access-token': {
        // Renewing a session this plugin started is single sign-on, not a password.
        const session = await refreshCookieSession(strapi, ctx);
        if (!session || (await sessions.ours(session.sessionId))) return null;
        return userWhere({ id: Number(session.userId) });
      }
      case 'register-admin':
        return null;
    }
  }

  return async function passwordLoginGuard(ctx: Context, route: SessionRoute): Promise<boolean> {
    const user = await accountFor(ctx, route);
    if (!user || accounts.isSuperAdmin(user) || !(await links.hasIdentity(user.id))) return true;

    const refusal = new Refusal(
      'password-login-disabled',
      `${route} refused for admin user ${user.id}: it signs in through the proxy and allowPasswordLogin is off`,
      'Password sign-in is disabled for this account. Sign in through your organisation’s single sign-on.',
    );
    if (route === 'forgot-password') {
      // Answer as Strapi does for any address (no account enumeration), but send no reset e-mail.
      answers.log(ctx, refusal);
      ctx.status = 204;
      return false;
    }
    answers.respond(ctx, refusal, `${adminPath(strapi)}/auth/login`);
    return false;
  };
}

export type PasswordLoginGuard = ReturnType<typeof createPasswordLoginGuard>;
