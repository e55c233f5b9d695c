import type { Core } from '@strapi/strapi';
import { compileSettings, type CompiledSettings } from '../../settings-schema/compile';
import { parseSettings, SettingsError, type Settings } from '../../settings-schema/schema';
import { createBackground, type Background } from './background';
import { logLine } from '../../pipeline/log-text';

export const PLUGIN_ID = 'remote-auth';
export const CONFIG_KEY = `plugin::${PLUGIN_ID}`;
const STORE_KEY = 'settings';

/**
 * How long an instance trusts its copy of the settings stored in the
 * database. A change saved on another instance is applied within this bound
 * (plus one request); the instance that saved it applies it at once.
 */
export const SETTINGS_TTL_MS = 2_000;

type Values = Record<string, unknown>;

/**
 * Effective settings = defaults ← values stored from the admin panel ←
 * values pinned in `config/plugins` (which always win). Compiled once per
 * change: parsing CIDR lists on every request would be waste.
 */
export function createSettingsSource(strapi: Core.Strapi, ttlMs = SETTINGS_TTL_MS, background: Background = createBackground(strapi)) {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID });

  let compiled: CompiledSettings | null = null;
  let pinnedSource: unknown;
  let storedValues: Values = {};
  let storedAt = -Infinity;
  let loading: Promise<void> | null = null;
  /** `compiled` is reset when the stored values change; this one stays until the next request compiles again. */
  let lastCompiled: CompiledSettings | null = null;

  const pinned = (): Values => (strapi.config.get(CONFIG_KEY) as Values | undefined) ?? {};

  function compile(): CompiledSettings {
    // A key set to undefined in config/plugins (an unset env()) is not pinned: it must not hide the stored value.
    const fixed = Object.fromEntries(Object.entries(pinned()).filter(([, value]) => value !== undefined));
    const merged = { ...storedValues, ...fixed };
    try {
      return compileSettings(parseSettings(merged));
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      // A stored value that no longer validates (say, after an upgrade) must not
      // take the plugin down: drop it, keep the rest, tell the operator.
      const bad = new Set(error.issues.map((issue) => issue.key).filter((key) => !(key in fixed)));
      strapi.log.error(logLine`[remote-auth] ignoring invalid stored settings: ${error.message}`);
      const kept = Object.fromEntries(Object.entries(storedValues).filter(([key]) => !bad.has(key)));
      return compileSettings(parseSettings({ ...kept, ...fixed }));
    }
  }

  async function loadStored(): Promise<void> {
    loading ??= (async () => {
      try {
        const value = (await store().get({ key: STORE_KEY })) as Values | null;
        storedValues = value && typeof value === 'object' ? value : {};
        storedAt = Date.now();
        compiled = null;
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  return {
    /**
     * The settings for this request. Reads the database at most once per TTL,
     * in the background once the first read is done: no request ever waits on
     * a settings refresh, and a slow or failing database keeps the last known
     * settings in force.
     */
    async current(): Promise<CompiledSettings> {
      if (storedAt === -Infinity) {
        await loadStored();
      } else if (Date.now() - storedAt > ttlMs && loading === null) {
        background.run('refreshing the stored settings (the last known settings stay in force)', () =>
          loadStored().catch((error: unknown) => {
            storedAt = Date.now(); // retry after another TTL, not on every request
            throw error;
          }),
        );
      }
      const fixed = strapi.config.get(CONFIG_KEY);
      if (compiled === null || fixed !== pinnedSource) {
        compiled = compile();
        pinnedSource = fixed;
      }
      lastCompiled = compiled;
      return compiled;
    },

    /** The settings last compiled for a request, without reading anything (null before the first request). */
    known(): CompiledSettings | null {
      return lastCompiled;
    },

    /** Keys set in config/plugins: read-only in the panel and the API. */
    pinnedKeys(): string[] {
      return Object.keys(pinned()).filter((key) => pinned()[key] !== undefined);
    },

    pinnedValues: pinned,

    async storedValues(): Promise<Values> {
      await loadStored();
      return { ...storedValues };
    },

    /** Validates and saves values from the admin panel; applies them here at once. */
    async save(values: Values): Promise<Settings> {
      const settings = parseSettings({ ...values, ...pinned() });
      await store().set({ key: STORE_KEY, value: values });
      storedValues = { ...values };
      storedAt = Date.now();
      compiled = null;
      return settings;
    },
  };
}

export type SettingsSource = ReturnType<typeof createSettingsSource>;

export const adminPath = (strapi: Core.Strapi): string =>
  (strapi.config.get('admin.path', '/admin') as string).replace(/\/+$/, '') || '/admin';
