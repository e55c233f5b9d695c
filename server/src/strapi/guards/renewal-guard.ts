import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { Refusal } from '../../pipeline/refusal';
import type { PluginSessions } from '../sessions/plugin-sessions';
import type { RefusalAnswers } from '../http/refusal-answers';
import { foreignOriginProblemOf } from '../http/cross-origin';

interface Dependencies {
  readonly answers: RefusalAnswers;
  readonly strapi: Core.Strapi;
  readonly sessions: PluginSessions;
}

/**
 * `POST /admin/access-token` answers with a fresh access token in its body.
 * For a session this plugin started from the proxy's header, that renewal is
 * as ambient as the header itself: a page on a sibling subdomain (same site,
 * so the Lax refresh cookie is sent) can call it, and Strapi's default CORS
 * hands it the token. So the renewal of a single-sign-on session is refused
 * when `Origin` or `Sec-Fetch-Site` says another origin asks (T17, T13), in
 * both modes — a browser always sends `Origin` when a page could read the
 * answer; password sessions are Strapi's business. Returns false when it
 * answered the request.
 */
export function createRenewalGuard({ answers, strapi, sessions }: Dependencies) {
  return async function renewalGuard(ctx: Context, passwordLoginUrl: string): Promise<boolean> {
    const session = await sessions.ofRefreshCookie(ctx);
    if (!session) return true;
    const problem = foreignOriginProblemOf(strapi, ctx);
    if (!problem) return true;
    answers.respond(
      ctx,
      new Refusal(
        'cross-site-request',
        `renewal of single sign-on session for admin user ${session.userId} refused: ${problem}; if this is the admin's own address, ` +
          'set server.url to it (or set server.proxy.koa so X-Forwarded-Proto/Host count)',
        'Cross-site request refused.',
      ),
      passwordLoginUrl,
    );
    return false;
  };
}

export type RenewalGuard = ReturnType<typeof createRenewalGuard>;
