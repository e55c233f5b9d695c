import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { REFRESH_COOKIE, accessCookieName, cookieAttributes } from './session-cookies';

interface AdminSessions {
  generateRefreshToken(userId: string, deviceId: string, options: { type: 'session' | 'refresh' }): Promise<{ token: string }>;
  generateAccessToken(refreshToken: string): Promise<{ token: string } | { error: string }>;
  validateAccessToken(token: string): { isValid: boolean; payload: { userId: string; sessionId: string } | null };
  validateRefreshToken(token: string): Promise<{ isValid: boolean; userId?: string; sessionId?: string }>;
  isSessionActive(sessionId: string): Promise<boolean>;
}

const adminSessions = (strapi: Core.Strapi): AdminSessions =>
  (strapi as unknown as { sessionManager: (origin: string) => AdminSessions }).sessionManager('admin');

export interface CurrentSession {
  readonly userId: string;
  readonly sessionId: string;
}

/**
 * The session this browser already holds, if any: the access cookie when it
 * is valid and its session active, else the refresh cookie (which names the
 * session too). Lets the hand-off skip minting when the browser is already
 * signed in as the asserted user, and end the previous person's session when
 * it is not (T24).
 */
export async function currentSession(strapi: Core.Strapi, ctx: Context): Promise<CurrentSession | null> {
  const sessions = adminSessions(strapi);
  // The SPA rewrites this cookie itself, unsigned, when it refreshes its token.
  const access = ctx.cookies.get(accessCookieName(strapi), { signed: false });
  if (access) {
    const result = sessions.validateAccessToken(access);
    if (result.isValid && result.payload && (await sessions.isSessionActive(result.payload.sessionId))) {
      return { userId: String(result.payload.userId), sessionId: result.payload.sessionId };
    }
  }
  return refreshCookieSession(strapi, ctx);
}

/** The admin session the browser's refresh cookie names, verified (signature, expiry, still active). */
export async function refreshCookieSession(strapi: Core.Strapi, ctx: Context): Promise<CurrentSession | null> {
  const refresh = ctx.cookies.get(REFRESH_COOKIE);
  if (!refresh) return null;
  const result = await adminSessions(strapi).validateRefreshToken(refresh);
  return result.isValid && result.userId !== undefined && result.sessionId !== undefined
    ? { userId: String(result.userId), sessionId: result.sessionId }
    : null;
}

/**
 * Mints a Strapi admin session exactly as the password login does (session
 * manager, browser-session refresh cookie) and hands it to the SPA through the
 * readable access cookie. Tokens travel only in cookies, never in a URL or body.
 */
export async function mintSession(strapi: Core.Strapi, ctx: Context, userId: string | number, deviceId: string): Promise<string> {
  const sessions = adminSessions(strapi);
  const { token: refreshToken } = await sessions.generateRefreshToken(String(userId), deviceId, { type: 'session' });
  const access = await sessions.generateAccessToken(refreshToken);
  if ('error' in access) throw new Error(`the session manager refused to issue an access token (${access.error})`);

  const { path, domain, sameSite, secure } = cookieAttributes(strapi, ctx);
  ctx.cookies.set(REFRESH_COOKIE, refreshToken, { httpOnly: true, secure, path, domain, sameSite, overwrite: true });
  ctx.cookies.set(accessCookieName(strapi), access.token, { httpOnly: false, signed: false, secure, path, domain, sameSite, overwrite: true });
  return access.token;
}
