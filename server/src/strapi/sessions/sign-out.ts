import type { PluginSessions } from './plugin-sessions';
import { DEVICE_PREFIX } from './plugin-sessions';
import type { SessionList } from './session-list';

/**
 * Ends sessions this plugin started, through Strapi's session manager
 * (`invalidateRefreshToken(user, device)` deletes the whole family): the next
 * request with its access token fails Strapi's own `isSessionActive` check,
 * and its refresh cookie no longer renews — on every instance, since the rows
 * are gone from the shared database. Password sessions are never touched.
 */
export function createSignOut(sessions: PluginSessions, list: SessionList) {
  return {
    /** One session (its API handle); the owner's id, or null when there was no such session of ours. */
    async session(id: string): Promise<number | null> {
      const userId = await list.ownerOf(id);
      if (userId === null) return null;
      await sessions.revoke(String(userId), `${DEVICE_PREFIX}${id}`);
      return userId;
    },

    /** Every session of ours a person holds; how many were ended. */
    async person(userId: number): Promise<number> {
      const devices = await list.devicesOf(userId);
      for (const device of devices) await sessions.revoke(String(userId), device);
      return devices.length;
    },
  };
}

export type SignOut = ReturnType<typeof createSignOut>;
