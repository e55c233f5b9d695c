import type { Core } from '@strapi/strapi';
import { logLine } from '../../pipeline/log-text';
import { statedOrigin } from '../../pipeline/same-origin';

/**
 * Whether the app states the origin people open the admin at: an absolute
 * `server.url`, or `server.proxy.koa` (Strapi 5's switch; `proxy: true` of
 * Strapi 4 is ignored by Strapi 5), so that X-Forwarded-Proto/Host count.
 * Without either, the origin the same-origin checks enforce is the one Strapi
 * sees on each request, which behind a reverse proxy (Host $host, another
 * port, TLS at the proxy) is not the browser's.
 */
export function statesPublicOrigin(strapi: Core.Strapi): boolean {
  return statedOrigin(strapi.config.get('server.url')) !== null || strapi.config.get('server.proxy.koa') === true;
}

export const NO_PUBLIC_ORIGIN_WARNING =
  '[remote-auth] config/server.ts sets neither url nor proxy.koa: behind a reverse proxy the admin origin this plugin enforces ' +
  "is not the browser's, so single sign-on sessions cannot be renewed (cross-site-request) and end after about 30 minutes. " +
  "Fix: set url in config/server.ts to the address people open, e.g. url: env('PUBLIC_URL', 'https://cms.example.com')";

/** Boot: one line when the admin's public origin is unknown (renewals would be refused as cross-site). */
export function warnWithoutPublicOrigin(strapi: Core.Strapi, enabled: boolean): void {
  if (enabled && !statesPublicOrigin(strapi)) strapi.log.warn(logLine`${NO_PUBLIC_ORIGIN_WARNING}`);
}
