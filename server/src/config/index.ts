import { parseSettings } from '../settings-schema/schema';

/**
 * Strapi merges `config/plugins` over `default` with lodash `defaultsDeep`,
 * which merges arrays index by index: a user's `trustedProxies: ['10.0.0.5']`
 * over a default of two entries would silently keep the second default entry.
 * So `default` stays empty and `parseSettings` fills in the defaults from the
 * schema. `validator` runs at boot: a bad value stops Strapi with a message
 * naming the key.
 */
export default {
  default: {},
  validator(config: unknown): void {
    parseSettings(config);
  },
};
