import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { readAssertion } from '../pipeline/assertion';
import type { Claim, NormalizeIdentity } from '../pipeline/claim';
import { decide } from '../pipeline/policy';
import { Refusal, isRefusal } from '../pipeline/refusal';
import type { Settings } from '../settings/schema';
import type { Accounts, AdminUser } from './accounts';
import type { IdentityLinks } from './identity-links';
import { currentSessionUserId, mintSession } from './sessions';
import { peerOf } from './refusal-response';
import type { CompiledSettings } from '../settings/compile';

export const LINK_SOURCE = 'header';

export type SignInResult =
  | { readonly state: 'anonymous' }
  | { readonly state: 'signed-in'; readonly user: AdminUser; readonly created: boolean; readonly minted: boolean };

interface Dependencies {
  readonly strapi: Core.Strapi;
  readonly accounts: Accounts;
  readonly links: IdentityLinks;
}

const guardHook = (hook: NormalizeIdentity | null): NormalizeIdentity | undefined =>
  hook
    ? (value) => {
        try {
          return hook(value);
        } catch (error) {
          throw new Refusal(
            'invalid-identity',
            403,
            `the normalizeIdentity hook threw: ${(error as Error).message}`,
            'The identity sent by the proxy is not a valid account name.',
          );
        }
      }
    : undefined;

/**
 * The whole pipeline for one request: trust → identity → policy → accounts →
 * session. Returns `anonymous` when the request asserts nobody; throws a
 * Refusal for every "no". Used by the SPA hand-off and by `/remote-auth/login`.
 */
export function createSignIn({ strapi, accounts, links }: Dependencies) {
  return async function signIn(ctx: Context, compiled: CompiledSettings): Promise<SignInResult> {
    const { settings: options, assertion: rules } = compiled;
    const assertion = readAssertion(
      { headers: ctx.req, remoteAddress: ctx.req.socket.remoteAddress },
      rules,
      guardHook(options.normalizeIdentity),
    );
    if (assertion.state === 'anonymous') return { state: 'anonymous' };
    const { claim } = assertion;

    try {
      return await signInClaim(ctx, claim, options);
    } catch (error) {
      if (isRefusal(error)) throw error;
      strapi.log.error(`[remote-auth] sign-in of "${claim.subject}" failed: ${(error as Error).stack ?? error}`);
      throw new Refusal(
        'service-unavailable',
        503,
        `sign-in of "${claim.subject}" failed: ${(error as Error).message}`,
        'Single sign-on is temporarily unavailable. Please try again in a moment.',
      );
    }
  };

  async function signInClaim(ctx: Context, claim: Claim, options: Settings): Promise<SignInResult> {
    const account = await accounts.findByEmail(claim.email);
    const decision = decide(
      account ? { isActive: account.isActive === true, blocked: account.blocked === true } : null,
      options,
      claim.email,
    );

    let user: AdminUser;
    let created = false;
    if (decision.action === 'provision') {
      user = await accounts.provision(claim, options.defaultRoles);
      created = true;
      strapi.log.info(`[remote-auth] created admin user ${user.id} for "${claim.subject}" with roles ${options.defaultRoles.join(', ')}`);
    } else {
      user = account as AdminUser;
      if (decision.activate) {
        user = await accounts.activate(user);
        strapi.log.info(`[remote-auth] activated inactive admin user ${user.id} ("${claim.subject}") because allowInactive is on`);
      }
    }

    const sessionUser = await currentSessionUserId(strapi, ctx);
    const alreadySignedIn = sessionUser === String(user.id);
    await links.record(LINK_SOURCE, claim.subject, user.id);
    if (!alreadySignedIn) {
      if (options.onLogin) {
        await options.onLogin({ user: { id: user.id, email: user.email }, created, claim });
      }
      await mintSession(strapi, ctx, user.id);
      strapi.log.info(`[remote-auth] signed in "${claim.subject}" as admin user ${user.id} (peer ${peerOf(ctx)})`);
    }
    return { state: 'signed-in', user, created, minted: !alreadySignedIn };
  }
}

export type SignIn = ReturnType<typeof createSignIn>;
