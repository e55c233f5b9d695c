import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { routedRequest } from '../http/routed-request';
import { actorIsSuperAdmin } from './super-admin-actor';

/** Strapi's handler behind `PUT /admin/users/me` (the profile page). */
const PROFILE_UPDATE = 'authenticated-user.updateMe';

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
    async beforeUpdate(event: { params?: { data?: Record<string, unknown> } }) {
      const request = routedRequest(strapi);
      if (request?.handler !== PROFILE_UPDATE) return;
      const address = event.params?.data?.email;
      const current = (request.ctx.state.user as { email?: unknown } | undefined)?.email; // Strapi's policy signs someone in first
      if (typeof address !== 'string' || address.toLowerCase() === String(current ?? '').toLowerCase()) return;
      if (await actorIsSuperAdmin(strapi, request.ctx)) return;
      throw new errors.PolicyError('Your e-mail address is managed by single sign-on. Ask an administrator to change it in Settings → Users.');
    },
  });
}
