import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { errors } from '@strapi/utils';
import { logLine } from '../../pipeline/log-text';
import type { Refusal } from '../../pipeline/refusal';
import { IDENTITY_STATE, activityOf } from '../activity/activity-log';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

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

/**
 * A refusal raised inside Strapi's own request handling (the auth strategy),
 * as the error Strapi's error middleware answers with the refusal's status and
 * `details.code`. A 403 is a PolicyError: on GET, Strapi's catch-all admin
 * panel route runs first and its authorize step turns any other
 * ForbiddenError from a later route into a bare "Forbidden" without details.
 * A 5xx refusal stays an internal error: no details leave.
 */
export function refusalError(strapi: Core.Strapi, ctx: Context, refusal: Refusal): Error {
  logRefusal(strapi, ctx, refusal);
  withdrawCorsGrant(ctx);
  const details = { code: refusal.code };
  const status: number = refusal.status;
  if (status === 401) return new errors.UnauthorizedError(refusal.publicMessage, details);
  if (status === 403) return new errors.PolicyError(refusal.publicMessage, details);
  if (status === 429) return new errors.RateLimitError(refusal.publicMessage, details);
  if (status < 500) return new errors.ApplicationError(refusal.publicMessage, details);
  // Strapi's error middleware logs this error as it is: our own words only (the reason was logged, escaped, above).
  return Object.assign(new Error(`[remote-auth] refused (${refusal.code}); see the line logged just before`), { status, expose: false });
}

export const peerOf = (ctx: Context): string => ctx.req.socket.remoteAddress ?? 'unknown peer';

export function logRefusal(strapi: Core.Strapi, ctx: Context, refusal: Refusal): void {
  const level = refusal.status >= 500 ? 'error' : 'warn';
  strapi.log[level](logLine`[remote-auth] refused (${refusal.code}) ${ctx.method} ${ctx.path} from ${peerOf(ctx)}: ${refusal.reason}`);
  const identity = ctx.state?.[IDENTITY_STATE];
  activityOf(strapi)?.record({
    kind: 'refused',
    reason: refusal.code,
    status: refusal.status,
    path: ctx.path.slice(0, 200),
    hint: refusal.hint,
    peer: peerOf(ctx),
    identity: typeof identity === 'string' ? identity : null,
  });
}

/**
 * Answers a refused request: one log line for the operator, a plain page for
 * browsers, JSON for API clients. Never a stack trace, never a cookie.
 */
export function respondWithRefusal(strapi: Core.Strapi, ctx: Context, refusal: Refusal, passwordLoginUrl: string): void {
  logRefusal(strapi, ctx, refusal);
  withdrawCorsGrant(ctx);
  setHandOffHeaders(ctx);
  ctx.status = refusal.status;
  if (refusal.retryAfterSeconds !== null) ctx.set('Retry-After', String(refusal.retryAfterSeconds));
  if (ctx.accepts('json', 'html') === 'html') {
    ctx.type = 'html';
    ctx.body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign-in refused</title>
<style>body{font-family:system-ui,sans-serif;background:#f6f6f9;color:#32324d;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:#fff;padding:2.5rem;border-radius:8px;box-shadow:0 1px 4px rgba(33,33,52,.1);max-width:32rem}
h1{font-size:1.25rem;margin-top:0}code{color:#666687}a{color:#4945ff}</style></head>
<body><main><h1>Single sign-on did not sign you in</h1>
<p>${escapeHtml(refusal.publicMessage)}</p>
<p><a href="${escapeHtml(passwordLoginUrl)}">Sign in with a password instead</a></p>
<p><small>Reference for your administrator: <code>${escapeHtml(refusal.code)}</code></small></p>
</main></body></html>`;
    return;
  }
  ctx.type = 'json';
  ctx.body = {
    data: null,
    error: { status: refusal.status, name: 'RemoteAuthError', message: refusal.publicMessage, details: { code: refusal.code } },
  };
}
