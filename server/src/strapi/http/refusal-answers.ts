import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { logLine } from '../../pipeline/log-text';
import type { Refusal } from '../../pipeline/refusal';
import type { ActivityLog } from '../activity/activity-log';
import { IDENTITY_STATE } from './identity-state';
import { refusalJson, refusalPage } from './refusal-page';
import { strapiErrorOf } from './refusal-error';
import { peerOf, setHandOffHeaders, withdrawCorsGrant } from './response-headers';

interface Dependencies {
  /** Where the log line goes (read at each refusal, as Strapi may swap its logger). */
  readonly strapi: Pick<Core.Strapi, 'log'>;
  /** Where a refusal is recorded for the activity view; null records nothing. */
  readonly activity: Pick<ActivityLog, 'record'> | null;
}

/**
 * Every answer to a refused request, in one place: one log line and one
 * activity entry for the operator, then a plain page for browsers, JSON for
 * API clients, or the error Strapi's own handling answers with. Never a stack
 * trace, never a cookie, never another origin's CORS grant.
 */
export function createRefusalAnswers({ strapi, activity }: Dependencies) {
  function log(ctx: Context, refusal: Refusal): void {
    const level = refusal.status >= 500 ? 'error' : 'warn';
    strapi.log[level](logLine`[remote-auth] refused (${refusal.code}) ${ctx.method} ${ctx.path} from ${peerOf(ctx)}: ${refusal.reason}`);
    const identity = ctx.state?.[IDENTITY_STATE];
    activity?.record({
      kind: 'refused',
      reason: refusal.code,
      status: refusal.status,
      path: ctx.path.slice(0, 200),
      hint: refusal.hint,
      peer: peerOf(ctx),
      identity: typeof identity === 'string' ? identity : null,
      // Set only once a listed proxy's header or a verified signature named the person (sign-in.ts).
      vouched: typeof identity === 'string',
    });
  }

  return {
    /** Logs and records a refusal the caller answers itself. */
    log,

    /** A refusal raised inside Strapi's request handling (the auth strategy), as the error to throw. */
    asError(ctx: Context, refusal: Refusal): Error {
      log(ctx, refusal);
      withdrawCorsGrant(ctx);
      return strapiErrorOf(refusal);
    },

    /** Answers a refused request: a plain page for browsers, JSON for API clients. */
    respond(ctx: Context, refusal: Refusal, passwordLoginUrl: string): void {
      log(ctx, refusal);
      withdrawCorsGrant(ctx);
      setHandOffHeaders(ctx);
      ctx.status = refusal.status;
      if (refusal.retryAfterSeconds !== null) ctx.set('Retry-After', String(refusal.retryAfterSeconds));
      if (ctx.accepts('json', 'html') === 'html') {
        ctx.type = 'html';
        ctx.body = refusalPage(refusal, passwordLoginUrl);
        return;
      }
      ctx.type = 'json';
      ctx.body = refusalJson(refusal);
    },
  };
}

export type RefusalAnswers = ReturnType<typeof createRefusalAnswers>;
