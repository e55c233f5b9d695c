import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { SUPER_ADMIN_ROLE_CODE } from '../settings-schema/critical-keys';

interface AdminUserWithRoles {
  readonly id: number;
  readonly roles?: readonly { readonly code?: string }[];
}

/**
 * Is the admin user of this request a Super Admin? Roles are loaded from the
 * database: never trust a cached or partial ctx.state.user. The one check the
 * settings and sessions controllers use (which then answer with their own
 * messages); also registered as the route policy `plugin::remote-auth.is-super-admin`.
 */
export async function actorIsSuperAdmin(strapi: Core.Strapi, ctx: Pick<Context, 'state'>): Promise<boolean> {
  const id = (ctx.state.user as AdminUserWithRoles | undefined)?.id;
  if (id === undefined) return false;
  const user = (await strapi.db.query('admin::user').findOne({ where: { id }, populate: ['roles'] })) as AdminUserWithRoles | null;
  return user !== null && (user.roles ?? []).some((role) => role.code === SUPER_ADMIN_ROLE_CODE);
}

/** Strapi route policy: `{ policies: ['plugin::remote-auth.is-super-admin'] }`. */
export default (policyContext: Pick<Context, 'state'>, _config: unknown, { strapi }: { strapi: Core.Strapi }): Promise<boolean> =>
  actorIsSuperAdmin(strapi, policyContext);
