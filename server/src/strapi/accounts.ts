import type { Core } from '@strapi/strapi';
import type { Claim } from '../pipeline/claim';
import { Refusal } from '../pipeline/refusal';
import { LINK_SOURCE, type IdentityLinks } from './identity-links';

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

/** Thrown inside the provisioning transaction when another request linked the identity first. */
class LostRace extends Error {
  constructor(readonly winner: number) {
    super('identity linked concurrently');
  }
}

const RETRYABLE = new Set(['40001', '40P01', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY']);
const isRetryable = (error: unknown): boolean => RETRYABLE.has(String((error as { code?: unknown })?.code ?? ''));

/**
 * Finds, creates and activates admin users through Strapi's own `admin::user`
 * service, so Strapi's events and invariants apply. Identities are looked up
 * through their link first (a stable key), then by e-mail.
 */
export function createAccounts(strapi: Core.Strapi, links: IdentityLinks) {
  const users = () => strapi.service('admin::user');
  /** One provisioning per identity at a time in this process; concurrent first logins share it. */
  const provisioning = new Map<string, Promise<AdminUser>>();

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

  async function findByEmail(email: string): Promise<AdminUser | null> {
    return ((await users().findOneByEmail(email, ['roles'])) as AdminUser | null) ?? null;
  }

  async function findById(id: number): Promise<AdminUser | null> {
    return ((await strapi.db.query('admin::user').findOne({ where: { id }, populate: ['roles'] })) as AdminUser | null) ?? null;
  }

  /**
   * Creates the user and claims the identity in one transaction. If another
   * request (here or on another instance) claimed it first, the unique index
   * makes us wait for it, we roll back our user and take theirs.
   */
  async function provisionOnce(claim: Claim, roles: AdminRole[]): Promise<AdminUser> {
    try {
      return await strapi.db.transaction(async ({ trx }) => {
        const user =
          (await findByEmail(claim.email)) ??
          ((await users().create({
            email: claim.email,
            firstname: claim.username ?? claim.email.slice(0, claim.email.indexOf('@')),
            lastname: null,
            username: claim.username,
            roles: roles.map((role) => role.id),
            isActive: true,
            registrationToken: null,
          })) as AdminUser);
        const holder = await links.claim(LINK_SOURCE, claim.subject, user.id, trx as never);
        if (holder !== Number(user.id)) throw new LostRace(holder);
        return user;
      });
    } catch (error) {
      if (!(error instanceof LostRace)) throw error;
      const winner = await findById(error.winner);
      if (!winner) throw new Error(`identity "${claim.subject}" is linked to admin user ${error.winner}, which does not exist`);
      return winner;
    }
  }

  return {
    resolveRoles,
    findByEmail,

    /** The admin user this claim maps to: its link first, then its e-mail. */
    async findForClaim(claim: Claim): Promise<AdminUser | null> {
      const link = await links.find(LINK_SOURCE, claim.subject);
      if (link) {
        const user = await findById(link.userId);
        if (user) return user;
        await links.forgetUser(link.userId); // the admin user was deleted
      }
      return findByEmail(claim.email);
    },

    /** Creates a password-less, active admin user (password login always fails for it). */
    provision(claim: Claim, roleReferences: readonly string[]): Promise<AdminUser> {
      const pending = provisioning.get(claim.subject);
      if (pending) return pending;
      const creation = (async () => {
        const roles = await resolveRoles(roleReferences);
        for (let attempt = 1; ; attempt++) {
          try {
            return await provisionOnce(claim, roles);
          } catch (error) {
            if (!isRetryable(error) || attempt >= 5) throw error;
            await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
          }
        }
      })().finally(() => provisioning.delete(claim.subject));
      provisioning.set(claim.subject, creation);
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
