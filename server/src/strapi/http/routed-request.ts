import type { Core } from '@strapi/strapi';

/** The signed-in admin of a request, as Strapi's admin auth strategy loaded it (roles populated). */
export interface RequestAdmin {
  readonly id?: unknown;
  readonly email?: unknown;
  readonly roles?: ReadonlyArray<{ readonly code?: unknown }>;
}

/**
 * The Strapi handler the current request was routed to (e.g. `authenticated-user.updateMe`), its
 * signed-in admin and the auth strategy that signed it in (`admin`: a session; `admin-token`: an
 * admin API token acting for its owner), read from Strapi's request context: for checks that run where data is
 * written (database lifecycles), which see neither the path nor the method. Null outside a routed
 * request (a sign-in's own writes run in the plugin's middleware, before Strapi's router).
 */
export function routedRequest(strapi: Core.Strapi): { handler: string; admin: RequestAdmin | null; strategy: string | null } | null {
  type State = { route?: { handler?: unknown }; user?: RequestAdmin; auth?: { strategy?: { name?: unknown } } };
  const state = (strapi.requestContext.get() as { state?: State } | undefined)?.state;
  const handler = state?.route?.handler;
  const strategy = state?.auth?.strategy?.name;
  return typeof handler === 'string' ? { handler, admin: state?.user ?? null, strategy: typeof strategy === 'string' ? strategy : null } : null;
}
