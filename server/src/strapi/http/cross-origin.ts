import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { crossOriginProblem, expectedOrigin, foreignOriginProblem, type HeaderAuthenticatedRequest } from '../../pipeline/same-origin';

/** What the same-origin rules (pipeline/same-origin.ts) need to know about a Koa request. */
function evidenceOf(strapi: Core.Strapi, ctx: Context): HeaderAuthenticatedRequest {
  return {
    method: ctx.method,
    expectedOrigin: expectedOrigin(strapi.config.get('server.url'), ctx.origin),
    origin: ctx.get('origin') || undefined,
    secFetchSite: ctx.get('sec-fetch-site') || undefined,
    contentType: ctx.get('content-type') || undefined,
  };
}

/** A request authenticated by the header: same-origin for every method (T17); null when it is. */
export const crossOriginProblemOf = (strapi: Core.Strapi, ctx: Context): string | null => crossOriginProblem(evidenceOf(strapi, ctx));

/** A response another origin's page must not read (a renewed token): null when nothing says the request is foreign. */
export const foreignOriginProblemOf = (strapi: Core.Strapi, ctx: Context): string | null => foreignOriginProblem(evidenceOf(strapi, ctx));
