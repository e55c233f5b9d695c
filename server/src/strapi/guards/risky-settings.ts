import type { Core } from '@strapi/strapi';
import { logLine } from '../../pipeline/log-text';
import { namesSuperAdmin } from '../../settings-schema/critical-keys';
import { albWithoutClientId } from '../../signed-assertions/signed-rules';
import type { SettingsSource } from '../infrastructure/settings-store';

/** Boot warnings for settings that make a forged header worth more than it should be. */
export async function warnAboutRiskySettings(strapi: Core.Strapi, current: SettingsSource): Promise<void> {
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

