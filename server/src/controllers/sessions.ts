import type { Core } from '@strapi/strapi';
import { actorIsSuperAdmin } from '../strapi/guards/super-admin-actor';
import type { Context } from 'koa';
import type { Accounts, AdminUser } from '../strapi/accounts/accounts';
import type { ActivityLog } from '../strapi/activity/activity-log';
import type { Deactivation } from '../strapi/deprovisioning/deactivation';
import type { DeactivationJob } from '../strapi/deprovisioning/deactivation-job';
import type { SettingsSource } from '../strapi/infrastructure/settings-store';
import type { SessionList } from '../strapi/sessions/session-list';
import type { SignOut } from '../strapi/sessions/sign-out';
import { databaseIdOf } from '../strapi/infrastructure/database-id';
import { logLine } from '../pipeline/log-text';

interface Dependencies {
  readonly strapi: Core.Strapi;
  readonly settings: SettingsSource;
  readonly accounts: Accounts;
  readonly list: SessionList;
  readonly signOut: SignOut;
  readonly deactivation: Deactivation;
  readonly job: DeactivationJob;
  readonly activity: ActivityLog;
}

const MAX_PAGE_SIZE = 100;

function pageOf(ctx: Context): { page: number; pageSize: number } {
  const page = Number(ctx.query.page ?? 1);
  const pageSize = Number(ctx.query.pageSize ?? 20);
  return {
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: Number.isInteger(pageSize) && pageSize >= 1 ? Math.min(pageSize, MAX_PAGE_SIZE) : 20,
  };
}

/** Strapi's error body (a thrown error would lose its message behind the endpoint wrapper). */
function answer(ctx: Context, status: number, name: string, message: string): void {
  ctx.status = status;
  ctx.body = { data: null, error: { status, name, message, details: {} } };
}

/**
 * `/remote-auth/sessions…`, `/remote-auth/accounts`, `/remote-auth/deprovisioning…`.
 * Reading needs `sessions.read`, signing out `sessions.revoke` (route
 * policies). On top: only a Super Admin may sign a Super Admin out — a role
 * that cannot manage Super Admins must not be able to end their sessions
 * either — and only a Super Admin may run the deactivation job by hand.
 */
export function createSessionsController({ strapi, settings, accounts, list, signOut, deactivation, job, activity }: Dependencies) {
  const callerIsSuperAdmin = (ctx: Context): Promise<boolean> => actorIsSuperAdmin(strapi, ctx);

  /** Whether the actor may sign `userId` out; answers 403 when not. */
  async function mayManage(ctx: Context, userId: number): Promise<boolean> {
    const target = (await list.people([userId])).get(userId);
    if (!target?.isSuperAdmin || (await callerIsSuperAdmin(ctx))) return true;
    answer(ctx, 403, 'ForbiddenError', 'Only a Super Admin can sign a Super Admin out.');
    return false;
  }

  const actorId = (ctx: Context): number => Number((ctx.state.user as AdminUser | undefined)?.id);

  async function signedOut(ctx: Context, userId: number, sessions: number): Promise<void> {
    const subject = (await list.people([userId])).get(userId)?.subject ?? null;
    activity.record({ kind: 'signed-out-by-admin', userId, identity: subject, source: 'admin', by: actorId(ctx), sessions });
  }

  return {
    async list(ctx: Context) {
      const userId = ctx.query.userId === undefined ? undefined : databaseIdOf(ctx.query.userId);
      if (userId === null) return answer(ctx, 400, 'ValidationError', 'userId must be the id of an admin user, a whole number from 1 to 2147483647');
      ctx.body = await list.sessions({ ...pageOf(ctx), userId });
    },

    async accounts(ctx: Context) {
      ctx.body = await list.accounts(pageOf(ctx));
    },

    async revokeSession(ctx: Context) {
      const id = String(ctx.params.id ?? '');
      const owner = /^[0-9a-f-]{36}$/i.test(id) ? await list.ownerOf(id) : null;
      if (owner === null) return answer(ctx, 404, 'NotFoundError', 'No session of single sign-on with this id (it may have ended already).');
      if (!(await mayManage(ctx, owner))) return;
      await signOut.session(id);
      strapi.log.info(logLine`[remote-auth] admin user ${actorId(ctx)} signed out a session of admin user ${owner}`);
      await signedOut(ctx, owner, 1);
      ctx.body = { data: { userId: owner, ended: 1 } };
    },

    async revokePerson(ctx: Context) {
      const userId = databaseIdOf(ctx.params.userId);
      if (userId === null) return answer(ctx, 400, 'ValidationError', 'userId must be the id of an admin user, a whole number from 1 to 2147483647');
      if (!(await list.people([userId])).has(userId)) return answer(ctx, 404, 'NotFoundError', `No admin user with id ${userId}.`);
      if (!(await mayManage(ctx, userId))) return;
      const ended = await signOut.person(userId);
      strapi.log.info(logLine`[remote-auth] admin user ${actorId(ctx)} signed admin user ${userId} out of ${ended} single sign-on session(s)`);
      await signedOut(ctx, userId, ended);
      ctx.body = { data: { userId, ended } };
    },

    /** Who the deactivation job would deactivate next (the job's own plan, nothing written). */
    async preview(ctx: Context) {
      const { settings: options } = await settings.current();
      const days = options.deactivateAfterDays;
      if (days === null) {
        ctx.body = { data: { enabled: false, days: null, cutoff: null, due: [] } };
        return;
      }
      const plan = await deactivation.plan(days);
      ctx.body = { data: { enabled: options.enabled, ...plan } };
    },

    /** Runs the deactivation job now (Super Admin only), under the same lease as the timer. */
    async run(ctx: Context) {
      if (!(await callerIsSuperAdmin(ctx))) return answer(ctx, 403, 'ForbiddenError', 'Only a Super Admin can run the deactivation job.');
      ctx.body = { data: await job.runOnce() };
    },
  };
}
