import type { Core } from '@strapi/strapi';
import type { Accounts, AdminUser } from './accounts';

/**
 * e-mail → admin user (with roles) for strict mode's hot path, so a request
 * authenticated by the header does not query the user table every time.
 * Entries live `ttlMs`; any change to an admin user on this instance (blocked,
 * deactivated, roles changed, deleted) clears the cache at once, so the next
 * request sees it. Other instances see it within `ttlMs`.
 */
export const IDENTITY_CACHE_TTL_MS = 5_000;

export function createIdentityCache(strapi: Core.Strapi, accounts: Accounts, ttlMs = IDENTITY_CACHE_TTL_MS) {
  const entries = new Map<string, { user: AdminUser | null; at: number }>();
  const clear = () => entries.clear();

  return {
    async findByEmail(email: string): Promise<AdminUser | null> {
      const hit = entries.get(email);
      if (hit && Date.now() - hit.at < ttlMs) return hit.user;
      const user = await accounts.findByEmail(email);
      if (entries.size > 10_000) entries.clear();
      entries.set(email, { user, at: Date.now() });
      return user;
    },

    clear,

    /** Clears on every write to admin users or roles made through Strapi's query layer. */
    subscribe(): void {
      strapi.db.lifecycles.subscribe({
        models: ['admin::user', 'admin::role'],
        afterCreate: clear,
        afterUpdate: clear,
        afterUpdateMany: clear,
        afterDelete: clear,
        afterDeleteMany: clear,
      });
    },
  };
}

export type IdentityCache = ReturnType<typeof createIdentityCache>;
