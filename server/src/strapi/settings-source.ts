import type { Core } from '@strapi/strapi';
import { compileSettings, type CompiledSettings } from '../settings/compile';
import { parseSettings } from '../settings/schema';

export const PLUGIN_ID = 'remote-auth';
export const CONFIG_KEY = `plugin::${PLUGIN_ID}`;

/**
 * The effective settings, compiled once per configuration object: parsing CIDR
 * lists on every request would be waste, and `strapi.config.set` replaces the
 * object, so identity is a sound cache key.
 */
export function createSettingsSource(strapi: Core.Strapi) {
  let source: unknown;
  let compiled: CompiledSettings | null = null;
  return {
    current(): CompiledSettings {
      const raw = strapi.config.get(CONFIG_KEY);
      if (compiled === null || raw !== source) {
        compiled = compileSettings(parseSettings(raw ?? {}));
        source = raw;
      }
      return compiled;
    },
  };
}

export type SettingsSource = ReturnType<typeof createSettingsSource>;

export const adminPath = (strapi: Core.Strapi): string =>
  (strapi.config.get('admin.path', '/admin') as string).replace(/\/+$/, '') || '/admin';
