const path = require('path');

// The plugin under test, loaded from this repository's build (dist/).
// REMOTE_AUTH_CONFIG (JSON) lets a test or the demo choose its options;
// REMOTE_AUTH_HOOKS=1 adds the example hooks from ./remote-auth-hooks.js.
module.exports = ({ env }) => {
  const config = JSON.parse(env('REMOTE_AUTH_CONFIG', '{}'));
  if (env.bool('REMOTE_AUTH_HOOKS', false)) Object.assign(config, require('./remote-auth-hooks'));
  return {
    'remote-auth': {
      enabled: env.bool('REMOTE_AUTH_ENABLED', true),
      resolve: path.resolve(__dirname, '..', '..', '..'),
      config,
    },
  };
};
