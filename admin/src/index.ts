import type { StrapiApp } from '@strapi/strapi/admin';
import { PLUGIN_ID } from './pluginId';
import { PERMISSIONS } from './permissions';
import { watchLoginPage } from './sso-login-link';
import { getTranslation } from './utils/getTranslation';

type Messages = Record<string, string>;

const loaders: Record<string, () => Promise<{ default: Messages }>> = {
  en: () => import('./translations/en.json'),
  fr: () => import('./translations/fr.json'),
};

export default {
  register(app: StrapiApp) {
    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_ID });
    app.addSettingsLink('global', {
      id: PLUGIN_ID,
      to: PLUGIN_ID,
      intlLabel: { id: getTranslation('settings.link'), defaultMessage: 'Remote authentication' },
      Component: () => import('./pages/SettingsPage'),
      permissions: PERMISSIONS.read,
    });
    app.addSettingsLink('global', {
      id: `${PLUGIN_ID}-sessions`,
      to: `${PLUGIN_ID}/sessions`,
      intlLabel: { id: getTranslation('sessions.link'), defaultMessage: 'SSO sessions & accounts' },
      Component: () => import('./pages/SessionsPage'),
      permissions: PERMISSIONS.sessionsRead,
    });
    app.addSettingsLink('global', {
      id: `${PLUGIN_ID}-activity`,
      to: `${PLUGIN_ID}/activity`,
      intlLabel: { id: getTranslation('activity.link'), defaultMessage: 'SSO sign-in activity' },
      Component: () => import('./pages/ActivityPage'),
      permissions: PERMISSIONS.activity,
    });
  },

  bootstrap() {
    watchLoginPage();
  },

  /** Keys in translations/*.json already carry the `remote-auth.` prefix. */
  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        const load = loaders[locale];
        if (!load) return { data: {}, locale };
        try {
          const { default: data } = await load();
          return { data, locale };
        } catch {
          return { data: {}, locale };
        }
      }),
    );
  },
};
