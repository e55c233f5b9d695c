import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import type { Assertion } from '../../pipeline/plain-header-identity';
import { identifyRequest } from '../../identity/request-identity';
import type { AssertionVerifier } from '../../signed-assertions/verifier';
import type { Claim, NormalizeIdentity } from '../../pipeline/claim';
import { Refusal, isRefusal } from '../../pipeline/refusal';
import type { CompiledSettings } from '../../settings-schema/compile';
import type { Settings } from '../../settings-schema/schema';
import type { AccountResolver, FindAccount, ResolvedAccount } from './account-resolver';
import type { AdminUser } from '../accounts/accounts';
import type { Background } from '../infrastructure/background';
import type { ActivityLog, SignInVia } from '../activity/activity-log';
import { IDENTITY_STATE } from '../http/identity-state';
import { mapGroups } from '../../pipeline/group-roles';
import { LINK_SOURCE, type IdentityLinks } from '../accounts/identity-links';
import { newDeviceId } from '../sessions/plugin-sessions';
import { peerOf } from '../http/response-headers';
import { emitSignedIn } from './auth-events';
import { currentSession, mintSession, type CurrentSession } from '../sessions/sessions';
import { logLine } from '../../pipeline/log-text';

const LAST_SEEN_EVERY_MS = 60_000;

/**
 * How long a sign-in may wait for the database. A database that stops
 * answering without closing its connections would otherwise hold the request
 * forever; past this, the person gets the 503 page.
 */
export const DATABASE_DEADLINE_MS = 10_000;

function withDeadline<T>(work: Promise<T>, claim: Claim): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Refusal(
            'service-unavailable',
            `sign-in of "${claim.subject}" waited ${DATABASE_DEADLINE_MS / 1000} s for the database; is it reachable?`,
            'Single sign-on is temporarily unavailable. Please try again in a moment.',
          ),
        ),
      DATABASE_DEADLINE_MS,
    );
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export type SignInResult =
  | { readonly state: 'anonymous' }
  | {
      readonly state: 'signed-in';
      readonly user: AdminUser;
      readonly created: boolean;
      readonly minted: boolean;
      /** The session this browser held for another person, which the new one replaced (T24). */
      readonly replaced: CurrentSession | null;
    };


interface Dependencies {
  readonly strapi: Core.Strapi;
  readonly resolver: AccountResolver;
  readonly links: IdentityLinks;
  readonly background: Background;
  readonly verifier: AssertionVerifier;
  readonly activity: ActivityLog;
}

const guardHook = (hook: NormalizeIdentity | null): NormalizeIdentity | undefined =>
  hook
    ? (value) => {
        try {
          return hook(value);
        } catch (error) {
          throw new Refusal(
            'invalid-identity',
            `the normalizeIdentity hook threw: ${(error as Error).message}`,
            'The identity sent by the proxy is not a valid account name.',
          );
        }
      }
    : undefined;

/**
 * The pipeline for one request: trust → identity → policy → accounts →
 * session. Shared by the SPA hand-off, `/remote-auth/login`, strict mode's
 * per-request check and the header auth strategy.
 */
export function createSignIn({ strapi, resolver, links, background, verifier, activity }: Dependencies) {
  const lastSeen = new Map<string, number>();

  /**
   * trust → identity: the plain header, or the verified signed assertion when
   * one is configured. Throws a Refusal; never touches the database (it may
   * fetch the provider's keys, bounded by a time-out).
   */
  async function assertIdentity(ctx: Context, compiled: CompiledSettings, options: { readonly cachedKeysOnly?: boolean } = {}): Promise<Assertion> {
    const assertion = await identifyRequest(
      { headers: ctx.req, remoteAddress: ctx.req.socket.remoteAddress },
      compiled.identity,
      verifier,
      guardHook(compiled.settings.normalizeIdentity),
      options,
    );
    if (assertion.state === 'asserted') ctx.state[IDENTITY_STATE] = assertion.claim.subject;
    return assertion;
  }

  /** Account creation and role changes, as the activity page shows them. */
  function recordAccountChanges(claim: Claim, resolved: ResolvedAccount, options: Settings, peer: string | null): void {
    const common = { userId: resolved.user.id, identity: claim.subject, peer, source: claim.source ?? LINK_SOURCE };
    const codes = (roles: readonly { code: string }[] | undefined) => (roles ?? []).map((role) => role.code);
    if (resolved.created) {
      activity.record({ ...common, kind: 'created', roles: codes(resolved.user.roles) });
      return;
    }
    if (!resolved.previousRoles) return;
    const before = codes(resolved.previousRoles);
    const after = codes(resolved.user.roles);
    const added = after.filter((code) => !before.includes(code));
    const removed = before.filter((code) => !after.includes(code));
    if (added.length === 0 && removed.length === 0) return;
    // The groups that mapped to a role: what made the roles what they are now.
    const groups = (claim.attributes.groups ?? []).filter((group) => mapGroups([group], options.groupRoles).roles.length > 0);
    activity.record({ ...common, kind: 'roles-changed', added, removed, groups });
  }

  /** policy → accounts: the admin user this claim signs in as, created, linked or activated if the settings say so. */
  async function resolveAccount(claim: Claim, options: Settings, find?: FindAccount, ctx?: Context): Promise<ResolvedAccount> {
    const work = (async () => {
      try {
        return await resolver.resolve(claim, options, find);
      } catch (error) {
        throw unavailable(error, claim);
      }
    })();
    const resolved = await withDeadline(work, claim);
    recordAccountChanges(claim, resolved, options, ctx ? peerOf(ctx) : null);
    return resolved;
  }

  function unavailable(error: unknown, claim: Claim): Refusal {
    if (isRefusal(error)) return error;
    strapi.log.error(logLine`[remote-auth] sign-in of "${claim.subject}" failed: ${(error as Error).stack ?? error}`);
    return new Refusal(
      'service-unavailable',
      `sign-in of "${claim.subject}" failed; the error is logged just before`,
      'Single sign-on is temporarily unavailable. Please try again in a moment.',
    );
  }

  /**
   * Records when the identity was last seen; at most once a minute per
   * identity per instance. Best effort: bookkeeping never fails a sign-in, and
   * a failing database is logged once, not once per request.
   */
  async function touch(claim: Claim, user: AdminUser): Promise<void> {
    const now = Date.now();
    if (now - (lastSeen.get(claim.subject) ?? 0) < LAST_SEEN_EVERY_MS) return;
    lastSeen.set(claim.subject, now);
    if (lastSeen.size > 10_000) lastSeen.clear();
    const recorded = await background.settle('recording when identities were last seen', async () => {
      await links.record(claim.source ?? LINK_SOURCE, claim.subject);
      return true;
    });
    if (!recorded) lastSeen.delete(claim.subject); // try again at the next request
  }

  /**
   * A sign-in that creates an account and then fails (onLogin refused it, no
   * session could be minted) leaves nothing behind: the person never got in,
   * and their next attempt is again a first sign-in (`created: true`).
   */
  async function undoCreation(user: AdminUser, claim: Claim): Promise<void> {
    try {
      await strapi.service('admin::user').deleteById(user.id); // its identity link goes with it (bootstrap's afterDelete)
      strapi.log.warn(logLine`[remote-auth] removed admin user ${user.id}, just created for "${claim.subject}", because the sign-in failed`);
    } catch (error) {
      strapi.log.error(logLine`[remote-auth] could not remove admin user ${user.id}, just created for "${claim.subject}" by a failed sign-in: ${(error as Error).message}`);
    }
  }

  /** Mints a session for `user`, after the operator's onLogin hook. */
  async function startSession(ctx: Context, claim: Claim, resolved: ResolvedAccount, options: Settings, via: SignInVia): Promise<string> {
    let token: string;
    try {
      if (options.onLogin) {
        await options.onLogin({ user: { id: resolved.user.id, email: resolved.user.email }, created: resolved.created, claim });
      }
      token = await withDeadline(mintSession(strapi, ctx, resolved.user.id, newDeviceId()), claim);
    } catch (error) {
      if (resolved.created) await undoCreation(resolved.user, claim);
      else if (resolved.linked) await resolver.unlink(claim, resolved);
      throw unavailable(error, claim);
    }
    strapi.log.info(logLine`[remote-auth] signed in "${claim.subject}" as admin user ${resolved.user.id} (peer ${peerOf(ctx)})`);
    activity.record({ kind: 'sign-in', via, userId: resolved.user.id, identity: claim.subject, peer: peerOf(ctx), source: claim.source ?? LINK_SOURCE });
    emitSignedIn(strapi, resolved.user);
    return token;
  }

  async function signIn(ctx: Context, compiled: CompiledSettings, via: SignInVia = 'hand-off'): Promise<SignInResult> {
    const assertion = await assertIdentity(ctx, compiled);
    if (assertion.state === 'anonymous') return { state: 'anonymous' };
    const { claim } = assertion;
    const options = compiled.settings;

    const resolved = await resolveAccount(claim, options, undefined, ctx);
    let held: CurrentSession | null;
    try {
      held = await withDeadline(currentSession(strapi, ctx), claim);
      // A just-created account's link was written by the provisioning transaction.
      if (!resolved.created) await touch(claim, resolved.user);
    } catch (error) {
      throw unavailable(error, claim);
    }
    const alreadySignedIn = held !== null && held.userId === String(resolved.user.id);
    if (!alreadySignedIn) await startSession(ctx, claim, resolved, options, via);
    return { state: 'signed-in', user: resolved.user, created: resolved.created, minted: !alreadySignedIn, replaced: alreadySignedIn ? null : held };
  }

  return { signIn, assertIdentity, resolveAccount, startSession, touch };
}

export type SignIn = ReturnType<typeof createSignIn>;
export type { ResolvedAccount };
