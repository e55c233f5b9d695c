import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { mentionsIdentity } from '../../identity/request-identity';
import type { TokenRoute } from '../../pipeline/admin-route';
import { Refusal } from '../../pipeline/refusal';
import type { CompiledSettings } from '../../settings-schema/compile';
import type { PluginSessions } from '../sessions/plugin-sessions';
import type { RefusalAnswers } from '../http/refusal-answers';

interface Dependencies {
  readonly answers: RefusalAnswers;
  readonly strapi: Core.Strapi;
  readonly sessions: PluginSessions;
}

/** What a request on each route would get: the words of the refusal's reason. */
const WHAT: Readonly<Record<TokenRoute, string>> = {
  'create-admin-token': 'create an admin token',
  'regenerate-admin-token': 'regenerate an admin token',
  'read-admin-token': "read an admin token's key",
  'create-api-token': 'create an API token',
  'regenerate-api-token': 'regenerate an API token',
  'read-api-token': "read an API token's key",
  'create-transfer-token': 'create a transfer token',
  'regenerate-transfer-token': 'regenerate a transfer token',
};

/**
 * Strict mode promises that access ends when the header does (T12). An admin
 * token, a content API token or a transfer token is a credential of its own
 * that no header stands behind, so a single-sign-on session — authenticated by
 * the header, or one of our sessions — may not mint one, nor read the key of
 * one. Returns false when it answered the request.
 */
export function createTokenGuard({ answers, strapi, sessions }: Dependencies) {
  return async function tokenGuard(ctx: Context, compiled: CompiledSettings, route: TokenRoute, passwordLoginUrl: string): Promise<boolean> {
    const authorization = ctx.get('authorization');
    const bySingleSignOn = authorization
      ? await sessions.isPluginBearer(authorization)
      : mentionsIdentity(ctx.req, compiled.identity);
    if (!bySingleSignOn) return true;
    answers.respond(
      ctx,
      new Refusal(
        'token-creation-refused',
        `strict mode: a single-sign-on session may not ${WHAT[route]}, which would keep working after the identity header is gone; ` +
          'do it from a password session of an account that is not linked to the proxy',
        'Tokens cannot be created or shown from a single sign-on session.',
      ),
      passwordLoginUrl,
    );
    return false;
  };
}

export type TokenGuard = ReturnType<typeof createTokenGuard>;
