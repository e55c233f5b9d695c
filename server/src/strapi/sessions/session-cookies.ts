import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

/**
 * Cookie names and attributes, read from the app's `admin.auth.cookie.*`
 * configuration the same way `@strapi/admin` does (it does not export its
 * helpers), so our cookies are indistinguishable from the ones a password
 * login sets.
 */
export const REFRESH_COOKIE = 'strapi_admin_refresh';
export const SIGNED_OUT_COOKIE = 'strapi_remote_auth_signed_out';

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface CookieAttributes {
  readonly path: string;
  readonly domain: string | undefined;
  readonly sameSite: 'lax' | 'strict' | 'none' | boolean;
  readonly secure: boolean;
}

export function accessCookieName(strapi: Core.Strapi): string {
  const configured = String(strapi.config.get('admin.auth.cookie.name', '') ?? '').trim();
  return configured && COOKIE_NAME.test(configured) ? configured : 'jwtToken';
}

export function cookieAttributes(strapi: Core.Strapi, ctx: Context): CookieAttributes {
  const path = String(strapi.config.get('admin.auth.cookie.path', '') ?? '').trim();
  const domain = String(
    strapi.config.get('admin.auth.cookie.domain', '') || strapi.config.get('admin.auth.domain', '') || '',
  ).trim();
  const configuredSecure = strapi.config.get('admin.auth.cookie.secure');
  const secure =
    typeof configuredSecure === 'boolean' ? configuredSecure : process.env.NODE_ENV === 'production' && ctx.request.secure;
  return {
    path: path.startsWith('/') && !/[\x00-\x1f\x7f;]/.test(path) ? path : '/admin',
    domain: domain && !/[\x00-\x1f\x7f;,\s/:]/.test(domain) ? domain : undefined,
    sameSite: (strapi.config.get('admin.auth.cookie.sameSite') as CookieAttributes['sameSite']) ?? 'lax',
    secure,
  };
}

/** Marks the browser as signed out so the header does not log it straight back in (T16). */
export function markSignedOut(strapi: Core.Strapi, ctx: Context): void {
  const { secure, sameSite } = cookieAttributes(strapi, ctx);
  ctx.cookies.set(SIGNED_OUT_COOKIE, '1', { httpOnly: true, path: '/', secure, sameSite, overwrite: true });
}

export function clearSignedOut(strapi: Core.Strapi, ctx: Context): void {
  if (!ctx.cookies.get(SIGNED_OUT_COOKIE)) return;
  const { secure, sameSite } = cookieAttributes(strapi, ctx);
  ctx.cookies.set(SIGNED_OUT_COOKIE, '', { httpOnly: true, path: '/', secure, sameSite, overwrite: true, expires: new Date(0) });
}

export const isSignedOut = (ctx: Context): boolean => ctx.cookies.get(SIGNED_OUT_COOKIE) === '1';
