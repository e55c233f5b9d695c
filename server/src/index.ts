import type { Core } from '@strapi/strapi';
import config from './config';
import routes from './routes';
import { createAccountResolver } from './strapi/sign-in/account-resolver';
import { createAccounts } from './strapi/accounts/accounts';
import { createSuperAdminGate } from './strapi/accounts/super-admin-gate';
import { warnWithoutPublicOrigin } from './strapi/guards/public-origin';
import { attachActivityLog, createActivityLog } from './strapi/activity/activity-log';
import { migrateActivityTables } from './strapi/activity/activity-table';
import { createActivityController } from './strapi/activity/activity-controller';
import { createActivityQuery } from './strapi/activity/activity-query';
import { createLeases } from './strapi/activity/lease';
import { createRetention } from './strapi/activity/retention';
import { containAdminMetrics, createBackground } from './strapi/background';
import { namesSuperAdmin } from './settings/critical-keys';
import { createHandOffMiddleware } from './strapi/sign-in/handoff-middleware';
import { createHeaderStrategy } from './strapi/sign-in/header-strategy';
import { assertStrictHttpParser } from './strapi/guards/http-parser-guard';
import { createIdentityCache } from './strapi/accounts/identity-cache';
import { createIdentityLinks, migrateLinksTable } from './strapi/accounts/identity-links';
import { createLockoutGuard } from './strapi/settings/lockout-guard';
import { createLoginController } from './strapi/sign-in/login-controller';
import { createPasswordLoginGuard } from './strapi/guards/password-login-guard';
import { registerPermissionActions } from './strapi/settings/permissions';
import { createPluginSessions } from './strapi/sessions/plugin-sessions';
import { createSettingsController } from './strapi/settings/settings-controller';
import { createSettingsSource } from './strapi/settings/settings-source';
import { createSignIn } from './strapi/sign-in/sign-in';
import { createAssertionVerifier } from './assertions/verifier';
import { albWithoutClientId } from './assertions/signed-rules';
import { createRenewalGuard } from './strapi/guards/renewal-guard';
import { createTokenGuard } from './strapi/guards/token-guard';
import { createStrictGuard } from './strapi/guards/strict-guard';
import { guardWebhooks, warnAboutExistingWebhooks } from './strapi/guards/webhook-guard';
import { createPeriodicSync } from './strapi/sign-in/periodic-sync';
import { isTrustedPeer } from './pipeline/trusted-proxies';
import { createSessionList } from './strapi/sessions/session-list';
import { createSignOut } from './strapi/sessions/sign-out';
import { createSessionsController } from './strapi/sessions/sessions-controller';
import { createDeactivation } from './strapi/deprovision/deactivation';
import { createDeactivationJob } from './strapi/deprovision/deactivation-job';
import { logLine } from './pipeline/log-text';
import { createClock } from './strapi/clock';

export type { RemoteAuthConfig, RemoteAuthPluginEntry } from './settings/config-type';

type Plugin = ReturnType<typeof wire>;
let plugin: Plugin | null = null;

/** Builds the object graph once per Strapi instance. */
function wire(strapi: Core.Strapi) {
  const clock = createClock();
  const background = createBackground(strapi);
  // Refusals from listed proxies are not capped (T26): judged against the settings in force.
  const isListedProxy = (peer: string): boolean => {
    const known = settings.known();
    return known !== null && isTrustedPeer(known.identity.header.proxies, peer);
  };
  const activity = createActivityLog(strapi, background, { isListedProxy, now: () => clock.now() });
  attachActivityLog(strapi, activity);
  const settings = createSettingsSource(strapi, undefined, background);
  const links = createIdentityLinks(strapi);
  const accounts = createAccounts(strapi, links);
  const superAdmins = createSuperAdminGate(strapi, clock);
  const resolver = createAccountResolver(strapi, accounts, superAdmins);
  const verifier = createAssertionVerifier();
  const signIn = createSignIn({ strapi, resolver, links, background, verifier, activity });
  const cache = createIdentityCache(strapi, accounts);
  const sessions = createPluginSessions(strapi);
  const passwordLoginGuard = createPasswordLoginGuard({ strapi, accounts, links, sessions });
  const strictGuard = createStrictGuard({ strapi, signIn, sessions, cache, activity });
  const sessionList = createSessionList(strapi);
  const signOut = createSignOut(sessions, sessionList);
  const deactivation = createDeactivation(strapi, sessionList, signOut);
  const leases = createLeases(strapi);
  const deactivationJob = createDeactivationJob({ settings, deactivation, leases, background, activity });
  return {
    clock,
    superAdmins,
    deactivationJob,
    background,
    activity,
    settings,
    accounts,
    links,
    verifier,
    signIn,
    cache,
    strategy: createHeaderStrategy({ strapi, settings, signIn, cache, activity }),
    middleware: createHandOffMiddleware({
      strapi,
      settings,
      signIn,
      passwordLoginGuard,
      renewalGuard: createRenewalGuard({ strapi, sessions }),
      tokenGuard: createTokenGuard({ strapi, sessions }),
      strictGuard,
      sessions,
      periodicSync: createPeriodicSync({ strapi, signIn, resolver, accounts, sessions, background, clock }),
      activity,
      superAdmins,
    }),
    controller: createLoginController({ strapi, settings, signIn }),
    sessionsController: createSessionsController({ strapi, settings, accounts, list: sessionList, signOut, deactivation, job: deactivationJob, activity }),
    retention: createRetention(strapi, settings, leases, background),
    activityController: createActivityController({ query: createActivityQuery(strapi), activity }),
    settingsController: createSettingsController({
      strapi,
      settings,
      accounts,
      signIn,
      resolver,
      lockoutProblem: createLockoutGuard({ strapi, accounts, links, signIn, resolver }),
      verifier,
      activity,
      clock,
    }),
  };
}

const wired = (strapi: Core.Strapi): Plugin => (plugin ??= wire(strapi));


async function warnAboutRiskySettings(strapi: Core.Strapi, current: Plugin['settings']): Promise<void> {
  const { settings } = await current.current();
  const superAdmin = settings.defaultRoles.find(namesSuperAdmin);
  if (superAdmin && settings.autoCreate) {
    strapi.log.warn(
      logLine`[remote-auth] defaultRoles includes "${superAdmin}": every new single sign-on user becomes a Super Admin. Anyone who can reach Strapi with a forged header would too; prefer "strapi-author" or "strapi-editor".`,
    );
  }
  const superTargets = Object.entries(settings.groupRoles).filter(([, roles]) => roles.some(namesSuperAdmin));
  if (superTargets.length > 0 && !settings.allowSuperAdminMapping) {
    strapi.log.warn(
      logLine`[remote-auth] groupRoles maps ${superTargets.map(([group]) => `"${group}"`).join(', ')} to Super Admin; this mapping is ignored unless allowSuperAdminMapping is true (a forged groups header must not make anyone Super Admin)`,
    );
  }
  const unbound = settings.enabled && settings.assertion !== null ? albWithoutClientId(settings.assertion) : null;
  if (unbound) strapi.log.warn(logLine`[remote-auth] ${unbound}`);
  if (settings.enabled && !settings.sharedSecret) {
    strapi.log.info(logLine`[remote-auth] no sharedSecret configured; recommended when the proxy runs on the same host as Strapi`);
  }
}

/**
 * The operator's warning for an app without a Super Admin (super-admin-gate.ts). Admin roles and
 * the first administrator may be created after our bootstrap (admin's bootstrap, a seed script),
 * so the look is taken once, at the first request this process serves, off that request's path:
 * nothing waits for it.
 */
function warnWithoutSuperAdminAtFirstRequest(strapi: Core.Strapi, { background, superAdmins }: Plugin): void {
  let looked = false;
  strapi.server.use((_ctx: unknown, next: () => Promise<unknown>) => {
    if (!looked) {
      looked = true;
      void background.settle('checking for a Super Admin', () => superAdmins.exists());
    }
    return next();
  });
}

export default {
  // Strapi awaits register before it listens: the parser check finishes before any request is accepted.
  async register({ strapi }: { strapi: Core.Strapi }) {
    await assertStrictHttpParser(strapi);
    strapi.get('auth').register('admin', wired(strapi).strategy);
    // Before the admin's bootstrap keeps references to them (see background.ts).
    containAdminMetrics(strapi, wired(strapi).background);
  },

  async bootstrap({ strapi }: { strapi: Core.Strapi }) {
    const { background, settings, middleware, cache, links, accounts, retention } = wired(strapi);
    if (!containAdminMetrics(strapi, background)) {
      strapi.log.warn(logLine`[remote-auth] Strapi's admin metrics service was not found; a database failure right after an admin user is created may end the process (see README)`);
    }
    cache.subscribe();
    strapi.db.lifecycles.subscribe({
      models: ['admin::user'],
      // A deleted admin user's identity link goes with it (no orphan rows, no hand-over).
      // The user row is already gone: if the clean-up fails, the deletion still stands and the
      // orphan link is forgotten at that identity's next sign-in (accounts.findForClaim).
      async afterDelete(event: { result?: { id?: number } }) {
        const id = event.result?.id;
        if (id !== undefined) await background.settle('removing the identity links of a deleted admin user', () => links.forgetUser(id));
      },
    });
    await settings.current();
    await migrateLinksTable(strapi);
    await accounts.ensureEmailIndex();
    await migrateActivityTables(strapi);
    retention.start();
    await registerPermissionActions(strapi);
    guardWebhooks(strapi, settings);
    await warnAboutExistingWebhooks(strapi, settings);
    await warnAboutRiskySettings(strapi, settings);
    warnWithoutPublicOrigin(strapi, (await settings.current()).settings.enabled);
    warnWithoutSuperAdminAtFirstRequest(strapi, wired(strapi));
    strapi.server.use(middleware);
    wired(strapi).deactivationJob.start();
  },

  async destroy() {
    plugin?.retention.stop();
    plugin?.deactivationJob.stop();
    const closing = plugin?.activity.close();
    plugin = null;
    await closing;
  },

  config,
  routes,
  controllers: {
    login: ({ strapi }: { strapi: Core.Strapi }) => wired(strapi).controller,
    settings: ({ strapi }: { strapi: Core.Strapi }) => wired(strapi).settingsController,
    sessions: ({ strapi }: { strapi: Core.Strapi }) => wired(strapi).sessionsController,
    activity: ({ strapi }: { strapi: Core.Strapi }) => wired(strapi).activityController,
  },
  services: {
    settings: ({ strapi }: { strapi: Core.Strapi }) => wired(strapi).settings,
    activity: ({ strapi }: { strapi: Core.Strapi }) => wired(strapi).activity,
    retention: ({ strapi }: { strapi: Core.Strapi }) => wired(strapi).retention,
    'deactivation-job': ({ strapi }: { strapi: Core.Strapi }) => wired(strapi).deactivationJob,
    // In-process only (tests move time with it); no route reaches a service.
    clock: ({ strapi }: { strapi: Core.Strapi }) => wired(strapi).clock,
  },
};
