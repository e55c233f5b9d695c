import { PLUGIN_ID } from './pluginId';
import { watchLoginPage } from './sso-login-link';

interface AdminApp {
  registerPlugin(plugin: { id: string; name: string }): void;
}

export default {
  register(app: AdminApp) {
    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_ID });
  },

  bootstrap() {
    watchLoginPage();
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return locales.map((locale) => ({ data: {}, locale }));
  },
};
