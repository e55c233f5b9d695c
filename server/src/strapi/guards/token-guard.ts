import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { mentionsIdentity } from '../../identity/request-identity';
import { Refusal } from '../../pipeline/refusal';
import type { CompiledSettings } from '../../settings-schema/compile';
import type { PluginSessions } from '../sessions/plugin-sessions';
import type { RefusalAnswers } from '../http/refusal-answers';

interface Dependencies {
  readonly answers: RefusalAnswers;
  readonly strapi: Core.Strapi;
  readonly sessions: PluginSessions;
}

/**
 * Strict mode promises that access ends when the header does (T12). An
 * admin token is a credential of its own that no header stands behind, so a
 * single-sign-on session — authenticated by the header, or one of our
 * sessions — may not mint one. Returns false when it answered the request.
 */
export function createTokenGuard({ answers, strapi, sessions }: Dependencies) {
  return async function tokenGuard(ctx: Context, compiled: CompiledSettings, passwordLoginUrl: string): Promise<boolean> {
    const authorization = ctx.get('authorization');
    const bySingleSignOn = authorization
      ? await sessions.isPluginBearer(authorization)
      : mentionsIdentity(ctx.req, compiled.identity);
    if (!bySingleSignOn) return true;
    answers.respond(
      ctx,
      new Refusal(
        'token-creation-refused',
        'strict mode: a single-sign-on session may not create or regenerate an admin token, which would keep working after the ' +
          'identity header is gone; create admin tokens from a password session of an account that is not linked to the proxy',
        'Admin tokens cannot be created from a single sign-on session.',
      ),
      passwordLoginUrl,
    );
    return false;
  };
}

export type TokenGuard = ReturnType<typeof createTokenGuard>;
