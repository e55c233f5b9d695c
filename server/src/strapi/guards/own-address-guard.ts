import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { SUPER_ADMIN_ROLE_CODE } from '../../settings-schema/critical-keys';
import { routedRequest } from '../http/routed-request';
import { HEADER_STRATEGY_NAME } from '../sign-in/header-strategy';

/** Strapi's handler behind `PUT /admin/users/me` (the profile page). */
const PROFILE_UPDATE = 'authenticated-user.updateMe';
/** Strategies that sign in a person (a session, or strict mode's header): not an admin API token acting for its owner. */
const PERSON = new Set(['admin', HEADER_STRATEGY_NAME]);

/**
 * Strapi's profile page lets every admin set their own e-mail address, with no
 * password and no confirmation e-mail. With `linkByEmail`, a person's first
 * single sign-on is linked to the unlinked account that has their address: an
 * admin who set their own address to a colleague's before that colleague's
 * first sign-on would be handed the colleague's identity and mapped roles, and
 * keep their password (T18, the nOAuth pattern with Strapi's profile page as
 * the editable attribute). So while the plugin is installed — also while it is
 * disabled or `linkByEmail` is off, since an address set then would be linked
 * once they are on — an admin's address is set by an administrator (Settings →
 * Users) or by the identity provider (e-mail sync), not by its holder; a Super
 * Admin, who can set any account's address anyway, may still change their own
 * when signed in as a person — not through an admin API token, which runs as
 * its owner on a route that asks for no permission, so even a token scoped to
 * nothing would hand its owner's account to the address of whoever holds it.
 *
 * Checked where the address is written (the admin user's `beforeUpdate`), for
 * the request Strapi routed to its profile handler, however its path was
 * spelled.
 */
export function guardOwnAddress(strapi: Core.Strapi): void {
  strapi.db.lifecycles.subscribe({
    models: ['admin::user'],
    beforeUpdate(event: { params?: { data?: Record<string, unknown> } }) {
      const request = routedRequest(strapi);
      if (request?.handler !== PROFILE_UPDATE) return;
      const address = event.params?.data?.email;
      const admin = request.admin ?? {}; // Strapi's policy signs someone in first; without them, nobody is exempt
      if (typeof address !== 'string' || address.toLowerCase() === String(admin.email ?? '').toLowerCase()) return;
      if (PERSON.has(request.strategy ?? '') && (admin.roles ?? []).some((role) => role.code === SUPER_ADMIN_ROLE_CODE)) return;
      throw new errors.PolicyError('Your e-mail address is managed by single sign-on. Ask an administrator to change it in Settings → Users.');
    },
  });
}
