import type { Core } from '@strapi/strapi';
import type { Claim } from '../../pipeline/claim';
import { mapGroups } from '../../pipeline/group-roles';
import { logLine } from '../../pipeline/log-text';
import { Refusal } from '../../pipeline/refusal';
import type { Settings } from '../../settings-schema/schema';
import { SUPER_ADMIN_ROLE_CODE } from '../../settings-schema/critical-keys';
import type { Clock } from '../infrastructure/clock';
import { sameRoles, type AdminRole, type AdminUser } from './admin-user';

const ROLES_TTL_MS = 5_000;

/**
 * Which roles an admin user should have after a sign-in: role references
 * (codes or names) resolved against Strapi's roles, cached for a few seconds
 * (and dropped at once when a role is written on this instance: `forget`),
 * and the defaultRoles / groupRoles / syncRoles / allowSuperAdminMapping rules.
 * `changed` says whether a condition is new since it was last logged.
 */
export function createRolePlanner(strapi: Core.Strapi, changed: (key: string, value: string) => boolean, clock: Clock) {
  let roleList: { roles: AdminRole[]; at: number } | null = null;
  async function allRoles(): Promise<AdminRole[]> {
    if (roleList && clock.now() - roleList.at < ROLES_TTL_MS) return roleList.roles;
    const roles = (await strapi.db.query('admin::role').findMany({ select: ['id', 'code', 'name'] })) as AdminRole[];
    roleList = { roles, at: clock.now() };
    return roles;
  }

  /**
   * Role codes or names → roles. Resolved at login time: roles are created in
   * admin's bootstrap, after ours, and operators rename them. A missing
   * default role refuses the sign-in; a missing mapped role is skipped with a warning.
   */
  async function resolveRoles(
    references: readonly string[],
    missing: 'refuse' | 'skip' = 'refuse',
    what = 'groupRoles',
  ): Promise<AdminRole[]> {
    let roles = await allRoles();
    const find = (reference: string) => {
      const wanted = reference.trim().toLowerCase();
      return roles.find((r) => r.code === reference) ?? roles.find((r) => r.name.toLowerCase() === wanted);
    };
    if (references.some((reference) => !find(reference))) {
      // Perhaps created on another instance since we cached the list.
      roleList = null;
      roles = await allRoles();
    }
    const resolved: AdminRole[] = [];
    for (const reference of references) {
      const role = find(reference);
      if (!role) {
        if (missing === 'skip') {
          strapi.log.warn(logLine`[remote-auth] ${what} names role "${reference}", which does not exist; ignored`);
          continue;
        }
        throw new Refusal(
          'no-role',
          `default role "${reference}" does not exist; fix defaultRoles (known roles: ${roles.map((r) => r.code).join(', ')})`,
          'Your Strapi admin account could not be created. Please contact an administrator.',
        );
      }
      if (!resolved.some((r) => r.id === role.id)) resolved.push(role);
    }
    return resolved;
  }

  const union = (...lists: AdminRole[][]): AdminRole[] => {
    const out: AdminRole[] = [];
    for (const role of lists.flat()) if (!out.some((r) => r.id === role.id)) out.push(role);
    return out;
  };

  /**
   * The roles the user should have after this sign-in, or null for "leave
   * them alone". New users: defaultRoles + mapped. Existing users, when the
   * groups header was sent: with syncRoles exactly defaultRoles + mapped (NetBox
   * semantics), without it current + mapped. Super Admin is never granted nor
   * removed by a mapping unless allowSuperAdminMapping.
   */
  async function planRoles(user: AdminUser | null, claim: Claim, options: Settings): Promise<AdminRole[] | null> {
    const groups = claim.attributes.groups;
    if (user && groups === null) return null; // nothing known: leave the roles alone
    // A missing default role refuses new users, but never locks existing ones out.
    const defaults = await resolveRoles(options.defaultRoles, user ? 'skip' : 'refuse', 'defaultRoles');
    let mapped: AdminRole[] = [];
    if (groups !== null) {
      const mapping = mapGroups(groups, options.groupRoles);
      if (mapping.unmatched.length > 0 && changed(`groups:${claim.subject}`, mapping.unmatched.join('\n'))) {
        strapi.log.info(logLine`[remote-auth] "${claim.subject}": groups without a role mapping ignored: ${mapping.unmatched.join(', ')}`);
      }
      mapped = await resolveRoles(mapping.roles, 'skip');
      if (!options.allowSuperAdminMapping && mapped.some((r) => r.code === SUPER_ADMIN_ROLE_CODE)) {
        strapi.log.warn(logLine`[remote-auth] "${claim.subject}": a group maps to Super Admin; ignored because allowSuperAdminMapping is off`);
        mapped = mapped.filter((r) => r.code !== SUPER_ADMIN_ROLE_CODE);
      }
    }
    const target = (() => {
      if (!user) return union(defaults, mapped);
      if (groups === null) return null;
      const current = user.roles ?? [];
      if (!options.syncRoles) return union(current, mapped);
      const keep = options.allowSuperAdminMapping ? [] : current.filter((r) => r.code === SUPER_ADMIN_ROLE_CODE);
      return union(keep, defaults, mapped);
    })();
    if (target !== null && target.length === 0) {
      throw new Refusal(
        'no-role',
        `"${claim.subject}" would be left without any role (no defaultRoles and no mapped group)`,
        'Your groups do not give you access to this Strapi admin. Please contact an administrator.',
      );
    }
    if (target !== null && user && sameRoles(target, user.roles ?? [])) return null;
    return target;
  }

  return {
    plan: planRoles,
    /** Forgets the cached role list (roles were created or renamed). */
    forget(): void {
      roleList = null;
    },
  };
}
