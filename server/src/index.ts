import type { Core } from '@strapi/strapi';
import config from './config/index';
import routes from './routes/index';
import { createAccountResolver } from './strapi/sign-in/account-resolver';
import { createAccounts } from './strapi/accounts/accounts';
import { createSuperAdminGate } from './strapi/accounts/super-admin-gate';
import { warnWithoutPublicOrigin } from './strapi/guards/public-origin';
import { attachActivityLog, createActivityLog } from './strapi/activity/activity-log';
import { migrateActivityTables } from './strapi/activity/activity-table';
import { createActivityController } from './controllers/activity';
import { createActivityQuery } from './strapi/activity/activity-query';
import { createLeases } from './strapi/infrastructure/lease';
import { createRetention } from './strapi/activity/retention';
import { containAdminMetrics, createBackground } from './strapi/infrastructure/background';
import { namesSuperAdmin } from './settings-schema/critical-keys';
import { createHandOffMiddleware } from './middlewares/handoff';
import { createHeaderStrategy } from './strapi/sign-in/header-strategy';
import { assertStrictHttpParser } from './strapi/guards/http-parser-guard';
import { createIdentityCache } from './strapi/accounts/identity-cache';
import { createIdentityLinks, migrateLinksTable } from './strapi/accounts/identity-links';
import { createLockoutGuard } from './strapi/guards/lockout-guard';
import { createLoginController } from './controllers/login';
import { createPasswordLoginGuard } from './strapi/guards/password-login-guard';
import { registerPermissionActions } from './strapi/infrastructure/permissions';
import { createPluginSessions } from './strapi/sessions/plugin-sessions';
import { createSettingsController } from './controllers/settings';
import { createSettingsSource } from './strapi/infrastructure/settings-store';
import { createSignIn } from './strapi/sign-in/sign-in';
import { createAssertionVerifier } from './signed-assertions/verifier';
import { createRenewalGuard } from './strapi/guards/renewal-guard';
import { createTokenGuard } from './strapi/guards/token-guard';
import { createStrictGuard } from './strapi/guards/strict-guard';
import { guardWebhooks, warnAboutExistingWebhooks } from './strapi/guards/webhook-guard';
import { createPeriodicSync } from './strapi/sign-in/periodic-sync';
import { isTrustedPeer } from './pipeline/trusted-proxies';
import { createSessionList } from './strapi/sessions/session-list';
import { createSignOut } from './strapi/sessions/sign-out';
import { createSessionsController } from './controllers/sessions';
import { createDeactivation } from './strapi/deprovisioning/deactivation';
import { createDeactivationJob } from './strapi/deprovisioning/deactivation-job';
import { logLine } from './pipeline/log-text';
import { createClock } from './strapi/infrastructure/clock';

export type { RemoteAuthConfig, RemoteAuthPluginEntry } from './settings-schema/config-type';

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
  const activity = createActivityLog(strapi, background, { isListedProxy });
  attachActivityLog(strapi, activity);
  const settings = createSettingsSource(strapi, undefined, background);
  const links = createIdentityLinks(strapi);
  const accounts = createAccounts(strapi, links);
  const superAdmins = createSuperAdminGate(strapi);
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
  if (settings.enabled && !settings.sharedSecret) {
    strapi.log.info(logLine`[remote-auth] no sharedSecret configured; recommended when the proxy runs on the same host as Strapi`);
  }
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
