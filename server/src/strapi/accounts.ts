import type { Core } from '@strapi/strapi';
import type { Claim } from '../pipeline/claim';
import { Refusal } from '../pipeline/refusal';

export const SUPER_ADMIN_CODE = 'strapi-super-admin';

export interface AdminRole {
  id: number;
  code: string;
  name: string;
}

export interface AdminUser {
  id: number;
  email: string;
  firstname: string | null;
  lastname: string | null;
  username: string | null;
  isActive: boolean;
  blocked: boolean | null;
  roles?: AdminRole[];
}

/**
 * Finds, creates and activates admin users through Strapi's own `admin::user`
 * service, so Strapi's events and invariants apply.
 */
export function createAccounts(strapi: Core.Strapi) {
  const users = () => strapi.service('admin::user');
  /** One creation per e-mail at a time in this process; concurrent first logins share it. */
  const creating = new Map<string, Promise<AdminUser>>();

  async function resolveRoles(references: readonly string[]): Promise<AdminRole[]> {
    // Roles are created in admin's bootstrap, after ours: resolve at login time.
    const roles = (await strapi.db.query('admin::role').findMany({ select: ['id', 'code', 'name'] })) as AdminRole[];
    const resolved: AdminRole[] = [];
    for (const reference of references) {
      const wanted = reference.trim().toLowerCase();
      const role = roles.find((r) => r.code === reference) ?? roles.find((r) => r.name.toLowerCase() === wanted);
      if (!role) {
        throw new Refusal(
          'no-role',
          403,
          `default role "${reference}" does not exist; fix defaultRoles (known roles: ${roles.map((r) => r.code).join(', ')})`,
          'Your Strapi admin account could not be created. Please contact an administrator.',
        );
      }
      if (!resolved.some((r) => r.id === role.id)) resolved.push(role);
    }
    return resolved;
  }

  return {
    resolveRoles,

    async findByEmail(email: string): Promise<AdminUser | null> {
      return ((await users().findOneByEmail(email, ['roles'])) as AdminUser | null) ?? null;
    },

    /** Creates a password-less, active admin user (password login always fails for it). */
    provision(claim: Claim, roleReferences: readonly string[]): Promise<AdminUser> {
      const pending = creating.get(claim.email);
      if (pending) return pending;
      const creation = (async () => {
        const roles = await resolveRoles(roleReferences);
        const existing = await this.findByEmail(claim.email);
        if (existing) return existing;
        const localPart = claim.email.slice(0, claim.email.indexOf('@'));
        return (await users().create({
          email: claim.email,
          firstname: claim.username ?? localPart,
          lastname: null,
          username: claim.username,
          roles: roles.map((role) => role.id),
          isActive: true,
          registrationToken: null,
        })) as AdminUser;
      })().finally(() => creating.delete(claim.email));
      creating.set(claim.email, creation);
      return creation;
    },

    async activate(user: AdminUser): Promise<AdminUser> {
      return (await users().updateById(user.id, { isActive: true, registrationToken: null })) as AdminUser;
    },

    isSuperAdmin(user: AdminUser): boolean {
      return (user.roles ?? []).some((role) => role.code === SUPER_ADMIN_CODE);
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
