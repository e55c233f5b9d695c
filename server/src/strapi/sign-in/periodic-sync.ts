import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { isRefusal } from '../../pipeline/refusal';
import type { CompiledSettings } from '../../settings-schema/compile';
import type { Accounts } from '../accounts/accounts';
import type { Background } from '../infrastructure/background';
import type { Clock } from '../infrastructure/clock';
import { crossOriginProblemOf } from '../http/cross-origin';
import type { PluginSessions } from '../sessions/plugin-sessions';
import type { AccountResolver } from './account-resolver';
import type { SignIn } from './sign-in';
import { logLine } from '../../pipeline/log-text';

interface Dependencies {
  readonly strapi: Core.Strapi;
  readonly signIn: SignIn;
  readonly resolver: AccountResolver;
  readonly accounts: Accounts;
  readonly sessions: PluginSessions;
  readonly background: Background;
  readonly clock: Clock;
}

interface AdminSessions {
  validateAccessToken(token: string): { isValid: boolean };
}

/**
 * syncInterval (Grafana's sync_ttl), persistent mode: a request that uses a
 * session of ours and carries the proxy's header for the SAME person re-syncs
 * that person's roles and names, at most every syncInterval seconds per
 * person on each instance. It never signs anyone in, never switches person,
 * never links or creates an account, never reactivates one: a header naming
 * someone else, failing the trust checks, or coming from another origin (T17)
 * is ignored here. A refusal (denied group, no role left) is logged and
 * leaves the session alone — ending sessions is strict mode's job.
 *
 * The clock of a person starts when this instance first sees their session:
 * their sign-in has just synced them, or (after a restart) it waits one interval.
 * Every attempt restarts it, a header naming someone else included, so a
 * session that keeps arriving with the wrong person's header costs one lookup
 * per interval, not one per request.
 */
export function createPeriodicSync({ strapi, signIn, resolver, accounts, sessions, background, clock }: Dependencies) {
  const synced = new Map<string, number>();
  const manager = () => (strapi as unknown as { sessionManager: (o: string) => AdminSessions }).sessionManager('admin');

  async function resync(ctx: Context, compiled: CompiledSettings, userId: string): Promise<void> {
    const options = compiled.settings;
    let assertion;
    try {
      assertion = await signIn.assertIdentity(ctx, compiled);
    } catch (error) {
      if (isRefusal(error)) return;
      throw error;
    }
    if (assertion.state === 'anonymous') return;
    const { claim } = assertion;
    try {
      // Only the account this identity is already linked to; never by e-mail.
      const planned = await resolver.plan(claim, options, async (c) => {
        const match = await accounts.findForClaim(c, false);
        return match?.via === 'link' ? match : null;
      });
      if (planned.action !== 'sign-in' || String(planned.match.user.id) !== userId || planned.activate) return;
      await resolver.carryOut(planned, claim, options);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      strapi.log.info(logLine`[remote-auth] syncInterval: "${claim.subject}" not re-synced (${error.code}): ${error.reason}`);
    }
  }

  /** Called for every request in persistent mode when syncInterval is set; cheap unless a re-sync is due. */
  return async function periodicSync(ctx: Context, compiled: CompiledSettings, header: boolean): Promise<void> {
    const every = compiled.settings.syncInterval;
    if (every === null || !header) return;
    const authorization = ctx.get('authorization');
    if (!authorization) return;
    const session = await sessions.ofBearer(authorization);
    if (!session) return;
    const now = clock.now();
    const last = synced.get(session.userId);
    if (last === undefined || now - last < every * 1000) {
      if (last === undefined) {
        if (synced.size > 10_000) synced.clear();
        synced.set(session.userId, now);
      }
      return;
    }
    if (!manager().validateAccessToken(authorization.split(/\s+/)[1] ?? '').isValid) return;
    if (crossOriginProblemOf(strapi, ctx)) return;
    synced.set(session.userId, now);
    await background.settle(`re-syncing roles and names (syncInterval)`, () => resync(ctx, compiled, session.userId));
  };
}

export type PeriodicSync = ReturnType<typeof createPeriodicSync>;
