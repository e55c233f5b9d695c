import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { crossSiteProblem } from '../pipeline/csrf';
import { Refusal, isRefusal } from '../pipeline/refusal';
import type { IdentityCache } from './identity-cache';
import { logRefusal } from './refusal-response';
import { isSignedOut } from './session-cookies';
import type { SettingsSource } from './settings-source';
import type { SignIn } from './sign-in';

interface Dependencies {
  readonly strapi: Core.Strapi;
  readonly settings: SettingsSource;
  readonly signIn: SignIn;
  readonly cache: IdentityCache;
}

type AuthResult = { authenticated: false } | { authenticated: true; credentials: unknown; ability: unknown } | { error: string };

/**
 * The plugin's admin auth strategy, tried after Strapi's own (Bearer access
 * token, admin API token). In strict mode it authenticates admin API requests
 * that carry a trusted identity and no Authorization header, as the mapped
 * admin user, setting `ctx.state.user` and `ctx.state.userAbility` like
 * Strapi's strategy. State-changing requests must pass the CSRF check.
 */
export function createHeaderStrategy({ strapi, settings, signIn, cache }: Dependencies) {
  const refuse = (ctx: Context, refusal: Refusal): AuthResult => {
    logRefusal(strapi, ctx, refusal);
    return { error: refusal.publicMessage };
  };

  return {
    name: 'remote-auth',
    async authenticate(ctx: Context): Promise<AuthResult> {
      const compiled = await settings.current();
      const { settings: options } = compiled;
      if (!options.enabled || options.mode !== 'strict') return { authenticated: false };
      if (ctx.get('authorization') || isSignedOut(ctx)) return { authenticated: false };

      try {
        const assertion = signIn.assertIdentity(ctx, compiled);
        if (assertion.state === 'anonymous') return { authenticated: false };
        const problem = crossSiteProblem({
          method: ctx.method,
          host: ctx.host || undefined,
          origin: ctx.get('origin') || undefined,
          secFetchSite: ctx.get('sec-fetch-site') || undefined,
          contentType: ctx.get('content-type') || undefined,
        });
        if (problem) {
          return refuse(ctx, new Refusal('cross-site-request', 403, `header-authenticated ${ctx.method} refused: ${problem}`, 'Cross-site request refused.'));
        }
        const { user } = await signIn.resolveAccount(assertion.claim, options, (c) => cache.findForClaim(c, options.linkByEmail));
        const ability = await strapi.service('admin::permission').engine.generateUserAbility(user);
        ctx.state.user = user;
        ctx.state.userAbility = ability;
        await signIn.touch(assertion.claim, user);
        return { authenticated: true, credentials: user, ability };
      } catch (error) {
        if (!isRefusal(error)) throw error;
        return refuse(ctx, error);
      }
    },
  };
}
