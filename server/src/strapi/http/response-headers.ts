import type { Context } from 'koa';

/** Headers every hand-off response carries (T13, T15). */
export function setHandOffHeaders(ctx: Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
}

/**
 * Takes back the CORS grant Strapi's CORS middleware (which runs first) put on
 * the response: a refused request must not be readable by another origin's
 * page (T17).
 */
export function withdrawCorsGrant(ctx: Context): void {
  for (const name of Object.keys(ctx.response.headers)) {
    if (name.toLowerCase().startsWith('access-control-')) ctx.remove(name);
  }
}

/** The TCP peer of the request (the proxy), never a forwarded address. */
export const peerOf = (ctx: Context): string => ctx.req.socket.remoteAddress ?? 'unknown peer';
