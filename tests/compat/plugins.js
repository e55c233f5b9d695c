// Copied into each compat app as config/plugins.js. Unlike tests/fixture-app
// there is no `resolve:` here: Strapi finds the plugin in node_modules, where
// npm installed it from the packed tarball, exactly as in a user's app.
module.exports = ({ env }) => {
  const config = JSON.parse(env('REMOTE_AUTH_CONFIG', '{}'));
  if (env.bool('REMOTE_AUTH_HOOKS', false)) Object.assign(config, require('./remote-auth-hooks'));
  return {
    'remote-auth': {
      enabled: env.bool('REMOTE_AUTH_ENABLED', true),
      config,
    },
  };
};
