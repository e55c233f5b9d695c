import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { refreshCookieSession } from './sessions';

/**
 * Sessions minted by this plugin carry a device id with this prefix; Strapi
 * keeps the device id when it rotates a refresh token, so the whole session
 * family stays recognisable. Strict mode only ever revokes these: sessions
 * started with a password are left alone when the header is absent.
 */
export const DEVICE_PREFIX = 'remote-auth:';

export const newDeviceId = (): string => `${DEVICE_PREFIX}${randomUUID()}`;

/** The session id inside an access token, read without verifying (verification follows for ours). */
export function peekSessionId(token: string): string | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return payload?.type === 'access' && typeof payload.sessionId === 'string' ? payload.sessionId : null;
  } catch {
    return null;
  }
}

export interface SessionInfo {
  readonly deviceId: string | null;
  readonly userId: string;
}

/** A session this plugin started, as a request names it. */
export interface PluginSession {
  readonly sessionId: string;
  readonly userId: string;
  readonly deviceId: string;
}

const MAX_ENTRIES = 10_000;

export function createPluginSessions(strapi: Core.Strapi) {
  // sessionId → what we need of the row; rows never change device or user.
  const known = new Map<string, SessionInfo | null>();

  return {
    async lookup(sessionId: string): Promise<SessionInfo | null> {
      if (known.has(sessionId)) return known.get(sessionId) ?? null;
      const row = (await strapi.db.query('admin::session').findOne({
        where: { sessionId },
        select: ['deviceId', 'userId'],
      })) as { deviceId?: string | null; userId: string } | null;
      const info = row ? { deviceId: row.deviceId ?? null, userId: String(row.userId) } : null;
      if (known.size >= MAX_ENTRIES) known.clear();
      // Unknown ids are remembered too: made-up tokens cost one query each, not one per request.
      known.set(sessionId, info);
      return info;
    },

    isPluginDevice: (deviceId: string | null): boolean => deviceId !== null && deviceId.startsWith(DEVICE_PREFIX),

    /** Our session, if `sessionId` names one. */
    async ours(sessionId: string): Promise<PluginSession | null> {
      const info = await this.lookup(sessionId);
      return info && this.isPluginDevice(info.deviceId) ? { sessionId, userId: info.userId, deviceId: info.deviceId as string } : null;
    },

    /** Our session, if the Authorization header is a Bearer token naming one (read unverified: the session row says whose). */
    async ofBearer(authorization: string): Promise<PluginSession | null> {
      const [scheme, token] = authorization.split(/\s+/);
      const sessionId = scheme?.toLowerCase() === 'bearer' && token ? peekSessionId(token) : null;
      return sessionId ? this.ours(sessionId) : null;
    },

    /** Whether the Bearer token of this request belongs to a session this plugin started. */
    async isPluginBearer(authorization: string): Promise<boolean> {
      return (await this.ofBearer(authorization)) !== null;
    },

    /** Our session, if the browser's refresh cookie (verified) names one. */
    async ofRefreshCookie(ctx: Context): Promise<PluginSession | null> {
      const session = await refreshCookieSession(strapi, ctx);
      return session ? this.ours(session.sessionId) : null;
    },

    /** Revokes the session family `sessionId` belongs to, when this plugin started it; true when it did. */
    async revokeSession(sessionId: string): Promise<{ userId: string } | null> {
      const session = await this.ours(sessionId);
      if (!session) return null;
      await this.revoke(session.userId, session.deviceId);
      return { userId: session.userId };
    },

    /** Revokes the whole session family of that device. */
    async revoke(userId: string, deviceId: string): Promise<void> {
      const manager = (strapi as unknown as { sessionManager: (o: string) => { invalidateRefreshToken(u: string, d?: string): Promise<void> } })
        .sessionManager('admin');
      await manager.invalidateRefreshToken(userId, deviceId);
      for (const [id, info] of known) if (info?.deviceId === deviceId) known.delete(id);
    },
  };
}

export type PluginSessions = ReturnType<typeof createPluginSessions>;
