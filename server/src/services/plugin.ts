import type { Core } from '@strapi/strapi';
import { createAccountResolver } from '../strapi/sign-in/account-resolver';
import { createAccounts } from '../strapi/accounts/accounts';
import { createSuperAdminGate } from '../strapi/accounts/super-admin-gate';
import { createActivityLog } from '../strapi/activity/activity-log';
import { createLeases } from '../strapi/infrastructure/lease';
import { createRetention } from '../strapi/activity/retention';
import { createBackground } from '../strapi/infrastructure/background';
import { createHandOffMiddleware } from '../strapi/hand-off/handoff-middleware';
import { createSignInSteps } from '../strapi/hand-off/sign-in-steps';
import { createHeaderStrategy } from '../strapi/sign-in/header-strategy';
import { createIdentityCache } from '../strapi/accounts/identity-cache';
import { createIdentityLinks } from '../strapi/accounts/identity-links';
import { createPasswordLoginGuard } from '../strapi/guards/password-login-guard';
import { createPluginSessions } from '../strapi/sessions/plugin-sessions';
import { createSettingsSource } from '../strapi/infrastructure/settings-store';
import { createSignIn } from '../strapi/sign-in/sign-in';
import { createAssertionVerifier } from '../signed-assertions/verifier';
import { createRenewalGuard } from '../strapi/guards/renewal-guard';
import { createTokenGuard } from '../strapi/guards/token-guard';
import { createStrictGuard } from '../strapi/guards/strict-guard';
import { createPeriodicSync } from '../strapi/sign-in/periodic-sync';
import { isTrustedPeer } from '../pipeline/trusted-proxies';
import { createSessionList } from '../strapi/sessions/session-list';
import { createSignOut } from '../strapi/sessions/sign-out';
import { createDeactivation } from '../strapi/deprovisioning/deactivation';
import { createDeactivationJob } from '../strapi/deprovisioning/deactivation-job';
import { createClock } from '../strapi/infrastructure/clock';
import { createInstallationMasking } from '../strapi/infrastructure/masking-key';
import { createRefusalAnswers } from '../strapi/http/refusal-answers';

/** Builds the object graph once per Strapi instance. */
function wire(strapi: Core.Strapi) {
  const clock = createClock();
  const background = createBackground(strapi);
  // Refusals from listed proxies are not capped (T26): judged against the settings in force.
  const isListedProxy = (peer: string): boolean => {
    const known = settings.known();
    return known !== null && isTrustedPeer(known.identity.header.proxies, peer);
  };
  // One masking for every place an identity is masked, keyed with this installation's secret.
  const mask = createInstallationMasking(strapi);
  const activity = createActivityLog(strapi, background, mask, { isListedProxy, now: () => clock.now() });
  const answers = createRefusalAnswers({ strapi, activity });
  const settings = createSettingsSource(strapi, undefined, background);
  const links = createIdentityLinks(strapi);
  const accounts = createAccounts(strapi, links, clock);
  const superAdmins = createSuperAdminGate(strapi, clock);
  const resolver = createAccountResolver(strapi, accounts, superAdmins);
  const verifier = createAssertionVerifier();
  const signIn = createSignIn({ strapi, resolver, links, background, verifier, activity });
  const cache = createIdentityCache(strapi, accounts);
  const sessions = createPluginSessions(strapi);
  const passwordLoginGuard = createPasswordLoginGuard({ answers, strapi, accounts, links, sessions });
  const strictGuard = createStrictGuard({ answers, strapi, signIn, sessions, cache, activity });
  const steps = createSignInSteps({ answers, strapi, settings, signIn });
  const sessionList = createSessionList(strapi);
  const signOut = createSignOut(sessions, sessionList);
  const deactivation = createDeactivation(strapi, sessionList, signOut);
  const leases = createLeases(strapi);
  const deactivationJob = createDeactivationJob({ settings, deactivation, leases, background, activity });
  return {
    clock,
    mask,
    deactivationJob,
    background,
    activity,
    settings,
    accounts,
    links,
    verifier,
    signIn,
    cache,
    strategy: createHeaderStrategy({ answers, strapi, settings, signIn, cache, activity }),
    middleware: createHandOffMiddleware({
      answers,
      strapi,
      settings,
      signIn,
      passwordLoginGuard,
      renewalGuard: createRenewalGuard({ answers, strapi, sessions }),
      tokenGuard: createTokenGuard({ answers, strapi, sessions }),
      strictGuard,
      sessions,
      periodicSync: createPeriodicSync({ strapi, signIn, resolver, accounts, sessions, background, clock }),
      activity,
      superAdmins,
      steps,
    }),
    retention: createRetention(strapi, settings, leases, background),
    resolver,
    superAdmins,
    answers,
    steps,
    sessionList,
    signOut,
    deactivation,
  };
}

export type Plugin = ReturnType<typeof wire>;

let plugin: Plugin | null = null;

/** The object graph of this Strapi instance, built at the first call. */
export const wired = (strapi: Core.Strapi): Plugin => (plugin ??= wire(strapi));

/** The graph built so far, if any (destroy must not build one to tear it down). */
export const current = (): Plugin | null => plugin;

/** Forgets the graph: the next `wired` call builds a new one. */
export function forget(): void {
  plugin = null;
}
