import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

/**
 * The Strapi handler the current request was routed to (e.g. `authenticated-user.updateMe`) and the
 * request itself, read from Strapi's request context: for checks that run where data is written
 * (database lifecycles), which see neither the path nor the method. Null outside a routed request
 * (a sign-in's own writes run in the plugin's middleware, before Strapi's router).
 */
export function routedRequest(strapi: Core.Strapi): { handler: string; ctx: Context } | null {
  const ctx = strapi.requestContext.get() as Context | undefined;
  const handler = (ctx?.state?.route as { handler?: unknown } | undefined)?.handler;
  return ctx && typeof handler === 'string' ? { handler, ctx } : null;
}
