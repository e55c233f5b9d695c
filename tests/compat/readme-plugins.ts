// The README's Quick start config/plugins.ts, word for word. prepare.js type-checks
// it inside each compat app (strict, Strapi's own "node" module resolution) against
// the plugin installed from the packed tarball. Keep it in step with the README.
import type { Core } from '@strapi/strapi';
import type { RemoteAuthConfig } from 'strapi-plugin-remote-auth/strapi-server';

export default ({ env }: Core.Config.Shared.ConfigParams): Core.Config.Plugin => ({
  // …the plugins you already configure stay here…
  'remote-auth': {
    enabled: true,
    config: {
      // The address your proxy connects from, as Strapi's socket sees it.
      trustedProxies: ['127.0.0.1/32'],
      // Proof that the request went through the proxy (recommended on a shared host).
      sharedSecret: { header: 'X-Remote-Auth-Secret', value: env('REMOTE_AUTH_SECRET') },
      // Create accounts for people who have none yet, as Authors.
      autoCreate: true,
      defaultRoles: ['strapi-author'],
    } satisfies RemoteAuthConfig,
  },
});
