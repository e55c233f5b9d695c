import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { SUPER_ADMIN_ROLE_CODE } from '../../settings-schema/critical-keys';
import type { SettingsSource } from '../infrastructure/settings-store';

/** Strapi's handler behind `PUT /admin/users/me` (the profile page). */
const PROFILE_UPDATE = 'authenticated-user.updateMe';

interface RequestState {
  readonly route?: { readonly handler?: unknown };
  readonly user?: { readonly email?: unknown; readonly roles?: ReadonlyArray<{ readonly code?: unknown }> };
}

/**
 * Strapi's profile page lets every admin set their own e-mail address, with no
 * password and no confirmation e-mail. With `linkByEmail`, a person's first
 * single sign-on is linked to the unlinked account that has their address: an
 * admin who set their own address to a colleague's before that colleague's
 * first sign-on would be handed the colleague's identity and mapped roles, and
 * keep their password (T18, the nOAuth pattern with Strapi's profile page as
 * the editable attribute). So while the plugin is on with `linkByEmail`, an
 * admin's address is set by an administrator (Settings → Users) or by the
 * identity provider (e-mail sync), not by its holder; a Super Admin, who can
 * set any account's address anyway, may still change their own.
 *
 * Checked where the address is written (the admin user's `beforeUpdate`), for
 * the request Strapi routed to its profile handler, however its path was
 * spelled.
 */
export function guardOwnAddress(strapi: Core.Strapi, settings: SettingsSource): void {
  strapi.db.lifecycles.subscribe({
    models: ['admin::user'],
    async beforeUpdate(event: { params?: { data?: Record<string, unknown> } }) {
      const state = (strapi.requestContext.get() as { state?: RequestState } | undefined)?.state;
      if (state?.route?.handler !== PROFILE_UPDATE) return;
      const address = event.params?.data?.email;
      const holder = state.user;
      if (typeof address !== 'string' || !holder || address.toLowerCase() === String(holder.email ?? '').toLowerCase()) return;
      if ((holder.roles ?? []).some((role) => role.code === SUPER_ADMIN_ROLE_CODE)) return;
      const { enabled, linkByEmail } = (await settings.current()).settings;
      if (!enabled || !linkByEmail) return;
      throw new errors.PolicyError(
        'Your e-mail address is managed by single sign-on. Ask an administrator to change it in Settings → Users.',
      );
    },
  });
}
