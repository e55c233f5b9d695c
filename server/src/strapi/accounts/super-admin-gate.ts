import type { Core } from '@strapi/strapi';
import { Refusal } from '../../pipeline/refusal';
import { SUPER_ADMIN_ROLE_CODE } from '../../settings-schema/critical-keys';

/**
 * The fixed sentence a person sees when single sign-on would create the app's
 * first admin account. Strapi shows its own first-administrator form only
 * while the app has no admin user at all; an Author created by single sign-on
 * would hide it for good and leave the app without a Super Admin.
 */
export const NO_SUPER_ADMIN_MESSAGE =
  'This Strapi has no Super Admin yet, so single sign-on creates no accounts. Create the first administrator with ' +
  "Strapi's own form at /admin/auth/register-admin, or on the server with: npx strapi admin:create-user --email … --password … --firstname …";

const noSuperAdmin = (subject: string): Refusal =>
  new Refusal(
    'no-super-admin',
    `"${subject}" has no admin account and autoCreate would create one, but the app has no Super Admin yet (no active, unblocked ` +
      'user with the strapi-super-admin role); create the first administrator with the form at /admin or with ' +
      '"npx strapi admin:create-user", then sign in through the proxy again',
    NO_SUPER_ADMIN_MESSAGE,
  );

/**
 * Single sign-on creates accounts only once the app has a Super Admin. The
 * positive answer is cached for the life of the process (a Super Admin does
 * not disappear in normal use); the negative one never is, so the first
 * sign-in after the Super Admin was created goes through at once. The cache
 * only ever gates creation: it grants no role and signs nobody in.
 */
export function createSuperAdminGate(strapi: Core.Strapi) {
  let seen = false;

  async function countSuperAdmins(): Promise<number> {
    return strapi.db.query('admin::user').count({
      where: {
        isActive: true,
        $or: [{ blocked: false }, { blocked: { $null: true } }],
        roles: { code: SUPER_ADMIN_ROLE_CODE },
      },
    });
  }

  async function exists(): Promise<boolean> {
    if (seen) return true;
    seen = (await countSuperAdmins()) > 0;
    return seen;
  }

  /** Refuses (`no-super-admin`) to create an account for `subject` while the app has no Super Admin. */
  async function assertCreationAllowed(subject: string): Promise<void> {
    if (!(await exists())) throw noSuperAdmin(subject);
  }

  return { exists, assertCreationAllowed };
}

export type SuperAdminGate = ReturnType<typeof createSuperAdminGate>;
