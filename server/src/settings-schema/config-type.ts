import type { Settings } from './schema';

/**
 * The plugin's options as an app writes them in `config/plugins.ts`: every
 * key of the settings schema, each optional (omitted keys take the defaults
 * in the README's options table). Validated at boot like any other config.
 *
 *   import type { RemoteAuthConfig } from 'strapi-plugin-remote-auth/strapi-server';
 *   'remote-auth': { enabled: true, config: { autoCreate: true } satisfies RemoteAuthConfig },
 *
 * `sharedSecret.value` may be `undefined` here because that is what
 * `env('REMOTE_AUTH_SECRET')` is typed as; at boot a missing or short value
 * stops Strapi with a message naming `sharedSecret.value`.
 */
export type RemoteAuthConfig = Partial<Omit<Settings, 'sharedSecret'>> & {
  sharedSecret?: { header: string; value: string | undefined } | null;
};

/** The plugin's whole entry in `config/plugins.ts`. */
export interface RemoteAuthPluginEntry {
  enabled?: boolean;
  config?: RemoteAuthConfig;
}
