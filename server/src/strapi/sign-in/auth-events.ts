import type { Core } from '@strapi/strapi';
import type { AdminUser } from '../accounts/accounts';
import { logLine } from '../../pipeline/log-text';

/**
 * Strapi's own admin auth events, for sign-ins through this plugin. Strapi's
 * password login emits `admin.auth.success` with `{ user, provider: 'local' }`
 * (the user as `admin::user`'s sanitizeUser returns it: no password hash, no
 * reset or registration token, roles as id/name/description/code) on
 * `strapi.eventHub`, and so do `admin.auth.events.onConnectionSuccess`
 * handlers and audit logs hear it. A session this plugin starts is the same
 * event with `provider: 'remote-auth'`. Logout needs nothing of ours: Strapi's
 * `POST /admin/logout` emits `admin.logout` with `{ user }` for every session,
 * ours included. Refusals emit nothing (Strapi emits `admin.auth.error` only
 * for its own password login).
 */
export const AUTH_PROVIDER = 'remote-auth';
export const AUTH_SUCCESS_EVENT = 'admin.auth.success';

interface UserService {
  sanitizeUser(user: AdminUser): Record<string, unknown>;
}

/** Emits `admin.auth.success` for `user`; never throws, never waits for the listeners (as Strapi's login). */
export function emitSignedIn(strapi: Core.Strapi, user: AdminUser): void {
  try {
    const sanitized = (strapi.service('admin::user') as unknown as UserService).sanitizeUser(user);
    Promise.resolve(strapi.eventHub.emit(AUTH_SUCCESS_EVENT, { user: sanitized, provider: AUTH_PROVIDER })).catch(listenerFailed(strapi));
  } catch (error) {
    listenerFailed(strapi)(error);
  }
}

const listenerFailed =
  (strapi: Core.Strapi) =>
  (error: unknown): void => {
    strapi.log.error(logLine`[remote-auth] a listener of ${AUTH_SUCCESS_EVENT} failed: ${(error as Error)?.message ?? String(error)}`);
  };
