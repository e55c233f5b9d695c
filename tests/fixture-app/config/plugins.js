const path = require('path');

// The plugin under test, loaded from this repository's build (dist/).
// REMOTE_AUTH_CONFIG (JSON) lets a test or the demo choose its options;
// REMOTE_AUTH_HOOKS=1 adds the example hooks from ./remote-auth-hooks.js.
module.exports = ({ env }) => {
  const config = JSON.parse(env('REMOTE_AUTH_CONFIG', '{}'));
  // Strapi's env.bool() is true only for "true"; the documented switch is REMOTE_AUTH_HOOKS=1.
  if (['1', 'true'].includes(env('REMOTE_AUTH_HOOKS', ''))) Object.assign(config, require('./remote-auth-hooks'));
  return {
    'remote-auth': {
      enabled: env.bool('REMOTE_AUTH_ENABLED', true),
      resolve: path.resolve(__dirname, '..', '..', '..'),
      config,
    },
  };
};
