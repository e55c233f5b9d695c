import { SUPER_ADMIN_ROLE_CODE } from '../../settings-schema/critical-keys';

/** An admin user and its roles as the plugin reads them from Strapi's `admin::user` / `admin::role`. */

export interface AdminRole {
  id: number;
  code: string;
  name: string;
}

export interface Provisioned {
  readonly user: AdminUser;
  readonly created: boolean;
}

/** An existing account for a claim, and how it was found. */
export interface AccountMatch {
  readonly user: AdminUser;
  /** 'link': the identity is linked to it; 'email': same address, not linked yet. */
  readonly via: 'link' | 'email';
}

export interface AdminUser {
  id: number;
  email: string;
  firstname: string | null;
  lastname: string | null;
  username: string | null;
  isActive: boolean;
  blocked: boolean | null;
  /** Set while an invitation is pending: its link lets whoever holds it set the password (`POST /admin/register`). */
  registrationToken?: string | null;
  /** Set while a password reset is pending (forgot-password): its link sets the password. */
  resetPasswordToken?: string | null;
  roles?: AdminRole[];
}

/** Whether an admin user (roles populated) holds Strapi's Super Admin role. */
export const hasSuperAdminRole = (user: { readonly roles?: ReadonlyArray<{ readonly code?: unknown }> } | null): boolean =>
  user !== null && (user.roles ?? []).some((role) => role.code === SUPER_ADMIN_ROLE_CODE);

/** Whether two role lists hold the same roles, in any order. */
export const sameRoles = (a: readonly AdminRole[], b: readonly AdminRole[]): boolean =>
  a.length === b.length && a.every((role) => b.some((other) => other.id === role.id));
