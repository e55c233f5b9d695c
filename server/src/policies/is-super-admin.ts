import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { actorIsSuperAdmin } from '../strapi/guards/super-admin-actor';

/** Strapi route policy: `{ policies: ['plugin::remote-auth.is-super-admin'] }`. */
export default (policyContext: Pick<Context, 'state'>, _config: unknown, { strapi }: { strapi: Core.Strapi }): Promise<boolean> =>
  actorIsSuperAdmin(strapi, policyContext);
