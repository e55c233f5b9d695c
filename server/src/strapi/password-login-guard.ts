import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { Refusal } from '../pipeline/refusal';
import type { Accounts } from './accounts';
import type { IdentityLinks } from './identity-links';
import { logRefusal } from './refusal-response';
import type { Settings } from '../settings/schema';

interface Dependencies {
  readonly strapi: Core.Strapi;
  readonly accounts: Accounts;
  readonly links: IdentityLinks;
}

/**
 * With `allowPasswordLogin: false`, `POST /admin/login` is refused for accounts
 * that have signed in through the proxy. Super admins keep their password: that
 * is the documented break-glass path when the proxy or the identity provider
 * is down. Returns true when the request may proceed.
 */
export function createPasswordLoginGuard({ strapi, accounts, links }: Dependencies) {
  return async function passwordLoginGuard(ctx: Context, settings: Settings): Promise<boolean> {
    if (settings.allowPasswordLogin) return true;
    const body = (ctx.request as unknown as { body?: { email?: unknown } }).body;
    const email = typeof body?.email === 'string' ? body.email.trim() : '';
    if (!email) return true;

    const user = await accounts.findByEmail(email);
    if (!user || accounts.isSuperAdmin(user) || !(await links.hasIdentity(user.id))) return true;

    const refusal = new Refusal(
      'password-login-disabled',
      403,
      `password sign-in refused for admin user ${user.id}: it signs in through the proxy and allowPasswordLogin is off`,
      'Password sign-in is disabled for this account. Sign in through your organisation’s single sign-on.',
    );
    logRefusal(strapi, ctx, refusal);
    ctx.status = 403;
    ctx.type = 'json';
    ctx.body = {
      data: null,
      error: { status: 403, name: 'ForbiddenError', message: refusal.publicMessage, details: { code: refusal.code } },
    };
    return false;
  };
}

export type PasswordLoginGuard = ReturnType<typeof createPasswordLoginGuard>;
