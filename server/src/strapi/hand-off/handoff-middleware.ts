import type { Core } from '@strapi/strapi';
import type { Context, Next } from 'koa';
import { isAdminDocumentRequest } from '../../pipeline/admin-document';
import { adminRoute, isSessionRoute, isTokenRoute } from '../../pipeline/admin-route';
import { isRefusal } from '../../pipeline/refusal';
import { setHandOffHeaders } from '../http/response-headers';
import type { RefusalAnswers } from '../http/refusal-answers';
import { isSignedOut, markSignedOut } from '../sessions/session-cookies';
import { adminPath, type SettingsSource } from '../infrastructure/settings-store';
import type { SignIn } from '../sign-in/sign-in';
import type { StrictGuard } from '../guards/strict-guard';
import type { PluginSessions } from '../sessions/plugin-sessions';
import { mentionsIdentity } from '../../identity/request-identity';
import type { RenewalGuard } from '../guards/renewal-guard';
import type { TokenGuard } from '../guards/token-guard';
import type { PasswordLoginGuard } from '../guards/password-login-guard';
import type { PeriodicSync } from '../sign-in/periodic-sync';
import type { ActivityLog } from '../activity/activity-log';
import { peerOf } from '../http/response-headers';
import { logLine } from '../../pipeline/log-text';
import type { SuperAdminGate } from '../accounts/super-admin-gate';
import { isLoginStep, type SignInSteps } from './sign-in-steps';

interface Dependencies {
  readonly answers: RefusalAnswers;
  readonly strapi: Core.Strapi;
  readonly settings: SettingsSource;
  readonly signIn: SignIn;
  readonly strictGuard: StrictGuard;
  readonly sessions: PluginSessions;
  readonly passwordLoginGuard: PasswordLoginGuard;
  readonly renewalGuard: RenewalGuard;
  readonly tokenGuard: TokenGuard;
  readonly periodicSync: PeriodicSync;
  readonly activity: ActivityLog;
  readonly superAdmins: SuperAdminGate;
  readonly steps: SignInSteps;
}

/** Strapi's own sign-in pages: `/admin/auth/login`, `/admin/auth/register-admin`, … */
const isAdminAuthPage = (path: string, admin: string): boolean => path.toLowerCase().startsWith(`${admin.toLowerCase()}/auth/`);

/**
 * The global Koa middleware (added in bootstrap, so it runs after Strapi's
 * configured middlewares and before the router). It only acts on these
 * requests and lets everything else through untouched:
 * - a browser navigation to the admin SPA: hand off a session for the asserted
 *   identity, unless this browser signed out (T16), ending the session it held
 *   for another person (T24);
 * - admin logout: remember the sign-out;
 * - every admin route that leads to a session: the password-login guard;
 * - in strict mode, every admin route that mints or reveals a token: the token guard;
 * - in strict mode, every other request: the strict guard;
 * - `GET /remote-auth/login`, once through the checks above: answered here by
 *   the plugin's login step itself, as Strapi's router would (sign-in-steps.ts).
 * While the app has no Super Admin, Strapi's own sign-in pages are served
 * without a hand-off, so its first-administrator form stays reachable.
 * Admin routes are recognised as Strapi's router recognises them (T20).
 */
export function createHandOffMiddleware({ answers, strapi, settings, signIn, passwordLoginGuard, renewalGuard, tokenGuard, strictGuard, sessions, periodicSync, activity, superAdmins, steps }: Dependencies) {
  return async function remoteAuthHandOff(ctx: Context, next: Next): Promise<void> {
    const compiled = await settings.current();
    const { settings: options } = compiled;
    if (!options.enabled) return next();
    const admin = adminPath(strapi);
    const route = adminRoute(ctx.method, ctx.path);

    if (route === 'logout') {
      // Only browsers that single sign-on signed in need the marker: a password
      // user logging out must not be sent to the proxy's sign-out page.
      const ours = await sessions.ofBearer(ctx.get('authorization'));
      const viaProxy = mentionsIdentity(ctx.req, compiled.identity) || ours !== null;
      await next();
      if (ctx.status < 400 && viaProxy) markSignedOut(strapi, ctx);
      if (ctx.status < 400 && ours) activity.record({ kind: 'logout', userId: ours.userId, peer: peerOf(ctx) });
      return;
    }
    if (isTokenRoute(route) && options.mode === 'strict') {
      if (!(await tokenGuard(ctx, compiled, route, `${admin}/auth/login`))) return;
    }
    if (isSessionRoute(route)) {
      if (route === 'access-token' && !(await renewalGuard(ctx, `${admin}/auth/login`))) return;
      if (!options.allowPasswordLogin && !(await passwordLoginGuard(ctx, route))) return;
      // A password login is not a session of ours for strict mode to judge;
      // the other routes (the refresh call above all) still are.
      if (route === 'login') return next();
    }

    const document = isAdminDocumentRequest(
      { method: ctx.method, path: ctx.path, accept: ctx.get('accept') || undefined, fetchDest: ctx.get('sec-fetch-dest') || undefined },
      admin,
    );
    // Strict mode judges every request that uses one of our sessions — page loads too: a
    // request can look like one (Accept: text/html) and still reach the admin API.
    if (options.mode === 'strict' && !(await strictGuard(ctx, compiled))) return;
    if (options.mode === 'persistent' && options.syncInterval !== null) {
      await periodicSync(ctx, compiled, mentionsIdentity(ctx.req, compiled.identity));
    }
    if (!document) return isLoginStep(ctx) ? steps.login(ctx) : next();
    if (isSignedOut(ctx)) return next();
    if (isAdminAuthPage(ctx.path, admin) && !(await superAdmins.exists())) return next();

    let signedIn = false;
    try {
      const result = await signIn.signIn(ctx, compiled);
      signedIn = result.state === 'signed-in';
      // Another person behind this browser: their session ends now, not when its token is next used.
      if (result.state === 'signed-in' && result.replaced) {
        const ended = await sessions.revokeSession(result.replaced.sessionId);
        if (ended) {
          strapi.log.info(logLine`[remote-auth] ended the session of admin user ${ended.userId}: this browser now signs in as admin user ${result.user.id}`);
          activity.record({ kind: 'revoked', cause: 'person-switch', userId: ended.userId, peer: peerOf(ctx) });
        }
      }
    } catch (error) {
      if (!isRefusal(error)) throw error;
      answers.respond(ctx, error, `${admin}/auth/login`);
      return;
    }
    await next();
    // After the SPA handler, which sets its own Cache-Control: a response
    // carrying session cookies must never be stored.
    if (signedIn) setHandOffHeaders(ctx);
  };
}
