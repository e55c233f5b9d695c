import type { Core } from '@strapi/strapi';
import { logLine } from './pipeline/log-text';
import { wired } from './services/plugin';
import { migrateExactMatch } from './strapi/accounts/exact-identities';
import { migrateLinksTable } from './strapi/accounts/identity-links';
import { warnWithoutSuperAdminAtFirstRequest } from './strapi/accounts/super-admin-gate';
import { migrateActivityTables } from './strapi/activity/activity-table';
import { warnWithoutPublicOrigin } from './strapi/guards/public-origin';
import { warnAboutRiskySettings } from './strapi/guards/risky-settings';
import { guardInvitations } from './strapi/guards/invitation-guard';
import { guardOwnAddress } from './strapi/guards/own-address-guard';
import { guardWebhooks, warnAboutExistingWebhooks } from './strapi/guards/webhook-guard';
import { containAdminMetrics } from './strapi/infrastructure/background';
import { registerPermissionActions } from './strapi/infrastructure/permissions';

export default async function bootstrap({ strapi }: { strapi: Core.Strapi }): Promise<void> {
  const { background, settings, middleware, cache, links, accounts, retention, superAdmins } = wired(strapi);
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
  await accounts.prepareAddresses();
  await migrateActivityTables(strapi);
  await migrateExactMatch(strapi);
  retention.start();
  await registerPermissionActions(strapi);
  guardWebhooks(strapi, settings);
  guardOwnAddress(strapi);
  guardInvitations(strapi, settings);
  await warnAboutExistingWebhooks(strapi, settings);
  await warnAboutRiskySettings(strapi, settings);
  warnWithoutPublicOrigin(strapi, (await settings.current()).settings.enabled);
  warnWithoutSuperAdminAtFirstRequest(strapi, background, superAdmins);
  strapi.server.use(middleware);
  wired(strapi).deactivationJob.start();
}
