import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { hasSuperAdminRole } from '../accounts/admin-user';
import type { SettingsSource } from '../infrastructure/settings-store';
import { routedRequest } from '../http/routed-request';

/** Strapi's handler behind `POST /admin/register` (accepting an invitation). */
const REGISTER = 'authentication.register';

/**
 * A Strapi invitation is a link that lets whoever holds it set the invited
 * account's password (`POST /admin/register`); the links do not expire. With
 * `linkByEmail`, the invitee's first single sign-on is then linked to that
 * account: whoever used the link first keeps a password to an account that
 * now gets the invitee's identity and mapped roles (T18). So while the plugin
 * is on with `linkByEmail`, an invitation is accepted by signing in through
 * single sign-on (`allowInactive` activates it, or an administrator does), not
 * with its link. Invitations to Super Admin keep their link: a Super Admin
 * keeps a password (the break-glass path), and no mapping makes an account
 * more than the invitation already does.
 */
export function guardInvitations(strapi: Core.Strapi, settings: SettingsSource): void {
  strapi.db.lifecycles.subscribe({
    models: ['admin::user'],
    async beforeUpdate(event: { params?: { where?: { id?: unknown } } }) {
      if (routedRequest(strapi)?.handler !== REGISTER) return;
      const { enabled, linkByEmail } = (await settings.current()).settings;
      if (!enabled || !linkByEmail) return;
      if (hasSuperAdminRole(await strapi.db.query('admin::user').findOne({ where: { id: event.params?.where?.id }, populate: ['roles'] }))) return;
      throw new errors.PolicyError('This Strapi admin uses single sign-on: accept your invitation by signing in through it.');
    },
  });
}
