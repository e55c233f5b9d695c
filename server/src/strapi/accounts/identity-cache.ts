import type { Core } from '@strapi/strapi';
import type { Claim } from '../../pipeline/claim';
import type { AccountMatch, Accounts } from './accounts';

/**
 * identity → admin user (with roles) for strict mode's hot path, so a request
 * authenticated by the header does not query the user table every time.
 * Entries live `ttlMs`; any change to an admin user on this instance (blocked,
 * deactivated, roles changed, deleted) clears the cache at once, so the next
 * request sees it. Other instances see it within `ttlMs`.
 */
export const IDENTITY_CACHE_TTL_MS = 5_000;

export function createIdentityCache(strapi: Core.Strapi, accounts: Accounts, ttlMs = IDENTITY_CACHE_TTL_MS) {
  const entries = new Map<string, { match: AccountMatch | null; at: number }>();
  const clear = () => entries.clear();

  return {
    async findForClaim(claim: Claim, linkByEmail: boolean): Promise<AccountMatch | null> {
      // Without a link the answer depends on the asserted e-mail too (attribute headers vary per request).
      const key = `${linkByEmail ? 'e' : 'l'}${claim.emailLinks ? 'e' : 'l'}:${claim.subject}\n${claim.email}`;
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < ttlMs) return hit.match;
      const match = await accounts.findForClaim(claim, linkByEmail);
      if (entries.size > 10_000) entries.clear();
      entries.set(key, { match, at: Date.now() });
      return match;
    },

    clear,

    /**
     * Clears on every write to admin users or roles made through Strapi's query layer; the
     * role list (role-plan.ts) only on writes to roles: an account made or changed leaves it as it is.
     */
    subscribe(): void {
      const changed = (event: { model: { uid: string } }) => {
        clear();
        if (event.model.uid === 'admin::role') accounts.forgetRoles();
      };
      strapi.db.lifecycles.subscribe({
        models: ['admin::user', 'admin::role'],
        afterCreate: changed,
        afterUpdate: changed,
        afterUpdateMany: changed,
        afterDelete: changed,
        afterDeleteMany: changed,
      });
    },
  };
}

export type IdentityCache = ReturnType<typeof createIdentityCache>;
