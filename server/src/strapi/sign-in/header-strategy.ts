import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { Refusal, isRefusal } from '../../pipeline/refusal';
import { crossOriginProblemOf } from '../http/cross-origin';
import type { IdentityCache } from '../accounts/identity-cache';
import type { RefusalAnswers } from '../http/refusal-answers';
import { emitSignedIn } from './auth-events';
import { isSignedOut } from '../sessions/session-cookies';
import type { SettingsSource } from '../infrastructure/settings-store';
import type { SignIn } from './sign-in';
import type { ActivityLog } from '../activity/activity-log';
import { LINK_SOURCE } from '../accounts/identity-links';
import { peerOf } from '../http/response-headers';

/**
 * A header-authenticated request carries no session of its own: its sign-in
 * is recorded once per person, peer and this long (Strapi's default admin
 * session idles out after the same time), not once per request.
 */
const HEADER_SESSION_MS = 30 * 60_000;

interface Dependencies {
  readonly answers: RefusalAnswers;
  readonly strapi: Core.Strapi;
  readonly settings: SettingsSource;
  readonly signIn: SignIn;
  readonly cache: IdentityCache;
  readonly activity: ActivityLog;
}

type AuthResult = { authenticated: false } | { authenticated: true; credentials: unknown; ability: unknown } | { error: string };

/**
 * The plugin's admin auth strategy, tried after Strapi's own (Bearer access
 * token, admin API token). In strict mode it authenticates admin API requests
 * that carry a trusted identity and no Authorization header, as the mapped
 * admin user, setting `ctx.state.user` and `ctx.state.userAbility` like
 * Strapi's strategy. Every such request must be same-origin (T17); a refusal
 * answers with its own status and code, and without Strapi's CORS grant.
 */
/** The strategy's name, as Strapi records it in ctx.state.auth.strategy.name. */
export const HEADER_STRATEGY_NAME = 'remote-auth';

export function createHeaderStrategy({ answers, strapi, settings, signIn, cache, activity }: Dependencies) {
  return {
    name: HEADER_STRATEGY_NAME,
    async authenticate(ctx: Context): Promise<AuthResult> {
      const compiled = await settings.current();
      const { settings: options } = compiled;
      if (!options.enabled || options.mode !== 'strict') return { authenticated: false };
      if (ctx.get('authorization') || isSignedOut(ctx)) return { authenticated: false };

      try {
        const assertion = await signIn.assertIdentity(ctx, compiled);
        if (assertion.state === 'anonymous') return { authenticated: false };
        const problem = crossOriginProblemOf(strapi, ctx);
        if (problem) {
          throw new Refusal(
            'cross-site-request',
            `header-authenticated ${ctx.method} ${ctx.path} refused: ${problem}; if this is the admin's own address, set server.url to it (or set server.proxy.koa so X-Forwarded-Proto/Host count)`,
            'Cross-site request refused.',
          );
        }
        const { user } = await signIn.resolveAccount(assertion.claim, options, (c) => cache.findForClaim(c, options.linkByEmail), ctx);
        const ability = await strapi.service('admin::permission').engine.generateUserAbility(user);
        ctx.state.user = user;
        ctx.state.userAbility = ability;
        await signIn.touch(assertion.claim, user);
        const peer = peerOf(ctx);
        const first = activity.recordOnce(`header|${user.id}|${assertion.claim.subject}|${peer}`, HEADER_SESSION_MS, {
          kind: 'sign-in',
          via: 'header-strategy',
          userId: user.id,
          identity: assertion.claim.subject,
          peer,
          source: assertion.claim.source ?? LINK_SOURCE,
        });
        if (first) emitSignedIn(strapi, user); // the first request of a header session, as its sign-in row
        return { authenticated: true, credentials: user, ability };
      } catch (error) {
        if (!isRefusal(error)) throw error;
        throw answers.asError(ctx, error);
      }
    },
  };
}
