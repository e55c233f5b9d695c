import type { Core } from '@strapi/strapi';
import { logLine } from '../../pipeline/log-text';
import { Refusal } from '../../pipeline/refusal';
import { SUPER_ADMIN_ROLE_CODE } from '../../settings-schema/critical-keys';
import type { Background } from '../infrastructure/background';
import type { Clock } from '../infrastructure/clock';

/**
 * The fixed sentence a person sees when single sign-on would create the app's
 * first admin account. It says nothing about how to create one: while the app
 * has no Super Admin, Strapi's first-administrator form is open to anyone who
 * reaches it, and everyone behind the proxy does. The instructions are for the
 * operator: in the log line (the refusal's reason), the refusal code's hint and
 * the boot warning.
 */
export const NO_SUPER_ADMIN_MESSAGE = 'This Strapi is not set up yet. Please ask its administrator.';

/** What the operator reads, in the refusal's log line and at boot. */
const CREATE_THE_FIRST_ADMIN =
  'create the first administrator now with Strapi\'s form at /admin/auth/register-admin or with "npx strapi admin:create-user": ' +
  'until then that form is open to anyone who reaches /admin, and every person behind the proxy does';

const noSuperAdmin = (subject: string): Refusal =>
  new Refusal(
    'no-super-admin',
    `"${subject}" has no admin account and autoCreate would create one, but the app has no Super Admin yet (no active, unblocked ` +
      `user with the strapi-super-admin role); ${CREATE_THE_FIRST_ADMIN}; then sign in through the proxy again`,
    NO_SUPER_ADMIN_MESSAGE,
  );

/** How long "a Super Admin exists" is believed without asking the database again. */
export const SUPER_ADMIN_SEEN_TTL_MS = 60_000;

/**
 * Single sign-on creates accounts only once the app has a Super Admin. The
 * positive answer is kept for SUPER_ADMIN_SEEN_TTL_MS (the only Super Admin
 * may be blocked, deleted or demoted: after that, creation stops within a
 * minute); the negative one is never kept, so the first sign-in after the
 * Super Admin was created goes through at once. The answer only ever gates
 * creation: it grants no role and signs nobody in.
 *
 * The first time this process finds no Super Admin (at its first request,
 * see index.ts, or later once the last one went away) it warns the operator,
 * once until one is seen again.
 */
export function createSuperAdminGate(strapi: Core.Strapi, clock: Clock) {
  let seenAt: number | null = null;
  let warned = false;

  async function countSuperAdmins(): Promise<number> {
    return strapi.db.query('admin::user').count({
      where: {
        isActive: true,
        $or: [{ blocked: false }, { blocked: { $null: true } }],
        roles: { code: SUPER_ADMIN_ROLE_CODE },
      },
    });
  }

  const seenRecently = (): boolean => seenAt !== null && clock.now() - seenAt < SUPER_ADMIN_SEEN_TTL_MS;

  function warnOnce(): void {
    if (warned) return;
    warned = true;
    strapi.log.warn(
      logLine`[remote-auth] this app has no Super Admin (no active, unblocked user with the strapi-super-admin role), so single sign-on creates no accounts; ${CREATE_THE_FIRST_ADMIN}`,
    );
  }

  async function exists(): Promise<boolean> {
    if (seenRecently()) return true;
    const found = (await countSuperAdmins()) > 0;
    seenAt = found ? clock.now() : null;
    if (found) warned = false;
    else warnOnce();
    return found;
  }

  /** Refuses (`no-super-admin`) to create an account for `subject` while the app has no Super Admin. */
  async function assertCreationAllowed(subject: string): Promise<void> {
    if (!(await exists())) throw noSuperAdmin(subject);
  }

  return { exists, assertCreationAllowed };
}

export type SuperAdminGate = ReturnType<typeof createSuperAdminGate>;

/**
 * The operator's warning for an app without a Super Admin. Admin roles and the first
 * administrator may be created after the plugin's bootstrap (admin's bootstrap, a seed
 * script), so the look is taken once, at the first request this process serves, off that
 * request's path: nothing waits for it.
 */
export function warnWithoutSuperAdminAtFirstRequest(strapi: Core.Strapi, background: Background, superAdmins: SuperAdminGate): void {
  let looked = false;
  strapi.server.use((_ctx: unknown, next: () => Promise<unknown>) => {
    if (!looked) {
      looked = true;
      void background.settle('checking for a Super Admin', () => superAdmins.exists());
    }
    return next();
  });
}
