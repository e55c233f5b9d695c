import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { Refusal, isRefusal } from '../../pipeline/refusal';
import { safeReturnTo } from '../../pipeline/return-to';
import { signInStepProblem } from '../../pipeline/same-origin';
import { setHandOffHeaders } from '../http/response-headers';
import type { RefusalAnswers } from '../http/refusal-answers';
import { clearSignedOut, isSignedOut } from '../sessions/session-cookies';
import { adminPath, type SettingsSource } from '../infrastructure/settings-store';
import type { SignIn } from '../sign-in/sign-in';

interface Dependencies {
  readonly answers: RefusalAnswers;
  readonly strapi: Core.Strapi;
  readonly settings: SettingsSource;
  readonly signIn: SignIn;
}

/** Where the explicit sign-in step is served (the plugin's admin route `GET /login`). */
export const LOGIN_STEP_PATH = '/remote-auth/login';

/**
 * The plugin's own sign-in steps, served as its `login` controller:
 * `GET /remote-auth/login?returnTo=/admin/…` — the explicit "Sign in with SSO"
 * step: clears the signed-out marker, hands off a session and redirects to a
 * same-origin admin path. The hand-off middleware answers it too, when the
 * path is spelled exactly so (`isLoginStep`), without a trip through Strapi's
 * router: the same function, after the same checks.
 * `GET /remote-auth/logout` — leaves for `logoutRedirectUrl` (the proxy's
 * sign-out page) and clears the marker so the next proxy login works.
 * `GET /remote-auth/status` — what the admin login page needs to show the SSO link.
 * Login and logout must be navigations the person makes (see signInStepProblem).
 */
export function createSignInSteps({ answers, strapi, settings, signIn }: Dependencies) {
  /** Refuses a sign-in step another page fired; true when it answered. */
  function refusedStep(ctx: Context, step: 'login' | 'logout'): boolean {
    const problem = signInStepProblem(step, {
      secFetchSite: ctx.get('sec-fetch-site') || undefined,
      secFetchMode: ctx.get('sec-fetch-mode') || undefined,
    });
    if (!problem) return false;
    const refusal = new Refusal('cross-site-request', `GET /remote-auth/${step} refused: ${problem}`, 'This sign-in link must be opened from the Strapi admin itself.');
    answers.respond(ctx, refusal, `${adminPath(strapi)}/auth/login`);
    return true;
  }

  return {
    async login(ctx: Context): Promise<void> {
      const admin = adminPath(strapi);
      setHandOffHeaders(ctx);
      const compiled = await settings.current();
      if (!compiled.settings.enabled) {
        answers.respond(ctx, disabled(), `${admin}/auth/login`);
        return;
      }
      if (refusedStep(ctx, 'login')) return;
      try {
        const result = await signIn.signIn(ctx, compiled, 'explicit');
        if (result.state === 'anonymous') throw noIdentity(compiled.identity.signed?.label ?? compiled.settings.header);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        answers.respond(ctx, error, `${admin}/auth/login`);
        return;
      }
      clearSignedOut(strapi, ctx);
      ctx.redirect(safeReturnTo(ctx.query.returnTo, admin));
    },

    async logout(ctx: Context): Promise<void> {
      setHandOffHeaders(ctx);
      if (refusedStep(ctx, 'logout')) return;
      clearSignedOut(strapi, ctx);
      ctx.redirect((await settings.current()).settings.logoutRedirectUrl ?? `${adminPath(strapi)}/auth/login`);
    },

    async status(ctx: Context): Promise<void> {
      const { enabled, logoutRedirectUrl } = (await settings.current()).settings;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        data: {
          enabled,
          loginUrl: LOGIN_STEP_PATH,
          logoutUrl: '/remote-auth/logout',
          signedOut: isSignedOut(ctx),
          hasLogoutRedirect: logoutRedirectUrl !== null,
        },
      };
    },
  };
}

const noIdentity = (header: string): Refusal =>
  new Refusal(
    'no-identity',
    `GET ${LOGIN_STEP_PATH} without an identity: the proxy did not send "${header}"; is this route behind the proxy?`,
    'The single sign-on proxy did not identify you. Sign in through your organisation’s portal, or use a password.',
  );

const disabled = (): Refusal =>
  new Refusal('disabled', 'remote login is disabled (enabled: false)', 'Single sign-on is turned off.');

/** `GET /remote-auth/login`, spelled exactly so: the request the hand-off middleware may answer with `login`. */
export const isLoginStep = (ctx: Pick<Context, 'method' | 'path'>): boolean => ctx.method === 'GET' && ctx.path === LOGIN_STEP_PATH;

export type SignInSteps = ReturnType<typeof createSignInSteps>;
