import type { Core } from '@strapi/strapi';
import type { Claim } from '../pipeline/claim';
import type { Accounts, AdminUser } from './accounts';

/**
 * identity → admin user (with roles) for strict mode's hot path, so a request
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
    async findForClaim(claim: Claim): Promise<AdminUser | null> {
      const hit = entries.get(claim.subject);
      if (hit && Date.now() - hit.at < ttlMs) return hit.user;
      const user = await accounts.findForClaim(claim);
      if (entries.size > 10_000) entries.clear();
      entries.set(claim.subject, { user, at: Date.now() });
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
