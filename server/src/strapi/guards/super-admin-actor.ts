import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { hasSuperAdminRole } from '../accounts/admin-user';
import { HEADER_STRATEGY_NAME } from '../sign-in/header-strategy';

/**
 * The strategies that authenticate a person: Strapi's admin session and the plugin's header
 * strategy. An admin API token ("admin-token") acts as its owner with the narrower ability it was
 * given, so its ctx.state.user is the owner: a token scoped to "settings: update" would pass for a
 * Super Admin. What only a Super Admin may do, no token does.
 */
const PERSON_STRATEGIES: ReadonlySet<string> = new Set(['admin', HEADER_STRATEGY_NAME]);

const strategyOf = (ctx: Pick<Context, 'state'>): string | undefined =>
  (ctx.state.auth as { strategy?: { name?: string } } | undefined)?.strategy?.name;

/**
 * Is the admin user of this request a Super Admin, signed in as a person? Roles are loaded from
 * the database: never trust a cached or partial ctx.state.user. The one check the settings and
 * sessions controllers, the route policy `plugin::remote-auth.is-super-admin` and the
 * profile-address guard use (each answers with its own message).
 */
export async function actorIsSuperAdmin(strapi: Core.Strapi, ctx: Pick<Context, 'state'>): Promise<boolean> {
  const strategy = strategyOf(ctx);
  if (strategy === undefined || !PERSON_STRATEGIES.has(strategy)) return false;
  const id = (ctx.state.user as { id?: number } | undefined)?.id;
  if (id === undefined) return false;
  return hasSuperAdminRole(await strapi.db.query('admin::user').findOne({ where: { id }, populate: ['roles'] }));
}
