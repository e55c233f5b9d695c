import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { adminRoute } from '../../pipeline/admin-route';
import { isRefusal } from '../../pipeline/refusal';
import type { CompiledSettings } from '../../settings-schema/compile';
import type { IdentityCache } from '../accounts/identity-cache';
import type { PluginSessions } from '../sessions/plugin-sessions';
import { peerOf, setHandOffHeaders, withdrawCorsGrant } from '../http/response-headers';
import type { RefusalAnswers } from '../http/refusal-answers';
import { adminPath } from '../infrastructure/settings-store';
import { REFRESH_COOKIE, cookieAttributes } from '../sessions/session-cookies';
import type { SignIn } from '../sign-in/sign-in';
import type { ActivityLog } from '../activity/activity-log';
import { IDENTITY_STATE } from '../http/identity-state';
import type { RefusalCode } from '../../pipeline/refusal';
import { logLine } from '../../pipeline/log-text';

interface Dependencies {
  readonly answers: RefusalAnswers;
  readonly strapi: Core.Strapi;
  readonly signIn: SignIn;
  readonly sessions: PluginSessions;
  readonly cache: IdentityCache;
  readonly activity: ActivityLog;
}

interface AdminSessions {
  validateAccessToken(token: string): { isValid: boolean; payload: { userId: string; sessionId: string } | null };
}

interface UsedSession {
  readonly userId: string;
  readonly deviceId: string;
  readonly via: 'access-token' | 'refresh-cookie';
  /** The Bearer token, verified only when we are about to act on it (revoke or switch). */
  readonly token: string | null;
}

/**
 * Strict mode (Django's RemoteUserMiddleware): for sessions this plugin
 * started, every admin request must still carry a trusted identity naming the
 * same user. Gone → the session is revoked and the request gets 401. Another
 * user → the old session is revoked and the browser is signed in as the new
 * one; the request never runs as the previous user. Sessions started with a
 * password are not touched. Returns false when it answered the request.
 */
export function createStrictGuard({ answers, strapi, signIn, sessions, cache, activity }: Dependencies) {
  const manager = () => (strapi as unknown as { sessionManager: (o: string) => AdminSessions }).sessionManager('admin');

  /** The plugin session a Bearer token of ours names. */
  async function bearerSession(ctx: Context): Promise<UsedSession | null> {
    const authorization = ctx.get('authorization');
    const session = await sessions.ofBearer(authorization);
    return session && { userId: session.userId, deviceId: session.deviceId, via: 'access-token', token: authorization.split(/\s+/)[1] };
  }

  /** The plugin session a renewal's refresh cookie names. */
  async function refreshSession(ctx: Context): Promise<UsedSession | null> {
    const session = await sessions.ofRefreshCookie(ctx);
    return session && { userId: session.userId, deviceId: session.deviceId, via: 'refresh-cookie', token: null };
  }

  /**
   * The plugin session this request uses. A renewal is judged by the session
   * it renews — the refresh cookie's, which is all Strapi's access-token
   * route looks at — whatever Authorization header comes along (a proxy's
   * Basic credentials, a garbage or forged Bearer must not divert the check);
   * every other request by its Bearer token of ours.
   */
  async function usedSession(ctx: Context): Promise<UsedSession | null> {
    return adminRoute(ctx.method, ctx.path) === 'access-token' ? refreshSession(ctx) : bearerSession(ctx);
  }

  /**
   * Before revoking anything, the token must be genuine: a forged token naming
   * someone else's session id must not end that session. (On the happy path
   * the check is left to Strapi's own strategy, which verifies every token.)
   */
  const genuine = (session: UsedSession): boolean =>
    session.token === null || manager().validateAccessToken(session.token).isValid;

  async function end(ctx: Context, session: UsedSession, code: string, reason: string): Promise<boolean> {
    if (!genuine(session)) return true; // Strapi answers 401 for the bad token
    await sessions.revoke(session.userId, session.deviceId);
    strapi.log.warn(logLine`[remote-auth] strict mode ended the session of admin user ${session.userId} (${code}) from ${peerOf(ctx)}: ${reason}`);
    const identity = ctx.state?.[IDENTITY_STATE];
    activity.record({
      kind: 'revoked',
      cause: 'strict-revocation',
      code: code as RefusalCode | 'identity-gone',
      userId: session.userId,
      identity: typeof identity === 'string' ? identity : null,
      peer: peerOf(ctx),
    });
    const { path, domain, sameSite, secure } = cookieAttributes(strapi, ctx);
    ctx.cookies.set(REFRESH_COOKIE, '', { httpOnly: true, path, domain, sameSite, secure, overwrite: true, expires: new Date(0) });
    withdrawCorsGrant(ctx);
    setHandOffHeaders(ctx);
    ctx.status = 401;
    ctx.type = 'json';
    ctx.body = {
      data: null,
      error: { status: 401, name: 'UnauthorizedError', message: 'Your single sign-on session has ended. Please sign in again.', details: { code } },
    };
    return false;
  }

  return async function strictGuard(ctx: Context, compiled: CompiledSettings): Promise<boolean> {
    const session = await usedSession(ctx);
    if (!session) return true;

    let claim;
    try {
      const assertion = await signIn.assertIdentity(ctx, compiled);
      if (assertion.state === 'anonymous') return end(ctx, session, 'identity-gone', 'the request carries no identity header');
      claim = assertion.claim;
    } catch (error) {
      if (!isRefusal(error)) throw error;
      // The identity provider's keys are out of reach: say so (503), but a blip of the key URL must not sign everyone out.
      if (error.code === 'keys-unavailable') {
        answers.respond(ctx, error, `${adminPath(strapi)}/auth/login`);
        return false;
      }
      return end(ctx, session, error.code, error.reason);
    }

    let resolved;
    try {
      resolved = await signIn.resolveAccount(claim, compiled.settings, (c) => cache.findForClaim(c, compiled.settings.linkByEmail), ctx);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      if (error.code === 'service-unavailable') throw error;
      return end(ctx, session, error.code, error.reason);
    }

    if (String(resolved.user.id) === session.userId) {
      await signIn.touch(claim, resolved.user);
      return true;
    }

    // Another person behind the same browser: never act as the previous one.
    if (!genuine(session)) return true;
    await sessions.revoke(session.userId, session.deviceId);
    strapi.log.info(logLine`[remote-auth] strict mode: identity changed from admin user ${session.userId} to "${claim.subject}"`);
    activity.record({ kind: 'revoked', cause: 'person-switch', userId: session.userId, identity: claim.subject, peer: peerOf(ctx) });
    const token = await signIn.startSession(ctx, claim, resolved, compiled.settings, 'strict');
    setHandOffHeaders(ctx);
    if (session.via === 'refresh-cookie') {
      // Answer /admin/access-token as Strapi would, for the new user.
      ctx.status = 200;
      ctx.body = { data: { token } };
      return false;
    }
    ctx.status = 401;
    ctx.type = 'json';
    ctx.body = {
      data: null,
      error: { status: 401, name: 'UnauthorizedError', message: 'The signed-in user changed. Refreshing the session.', details: { code: 'identity-changed' } },
    };
    return false;
  };
}

export type StrictGuard = ReturnType<typeof createStrictGuard>;
