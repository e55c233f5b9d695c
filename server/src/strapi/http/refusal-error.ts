import { errors } from '@strapi/utils';
import type { Refusal } from '../../pipeline/refusal';

/**
 * A refusal raised inside Strapi's own request handling (the auth strategy),
 * as the error Strapi's error middleware answers with the refusal's status and
 * `details.code`. A 403 is a PolicyError: on GET, Strapi's catch-all admin
 * panel route runs first and its authorize step turns any other
 * ForbiddenError from a later route into a bare "Forbidden" without details.
 * A 5xx refusal stays an internal error: no details leave.
 */
export function strapiErrorOf(refusal: Refusal): Error {
  const details = { code: refusal.code };
  const status: number = refusal.status;
  if (status === 401) return new errors.UnauthorizedError(refusal.publicMessage, details);
  if (status === 403) return new errors.PolicyError(refusal.publicMessage, details);
  if (status === 429) return new errors.RateLimitError(refusal.publicMessage, details);
  if (status < 500) return new errors.ApplicationError(refusal.publicMessage, details);
  // Strapi's error middleware logs this error as it is: our own words only (the reason was logged, escaped, before).
  return Object.assign(new Error(`[remote-auth] refused (${refusal.code}); see the line logged just before`), { status, expose: false });
}
