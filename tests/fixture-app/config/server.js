module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  url: env('PUBLIC_URL', ''),
  proxy: env.bool('SERVER_PROXY', false),
  // boot-validation.test.ts: serverOptions.insecureHTTPParser must stop the plugin at boot.
  http: { serverOptions: env.json('SERVER_HTTP_OPTIONS', {}) },
  logger: { updates: { enabled: false }, startup: { enabled: false } },
  app: { keys: env.array('APP_KEYS', ['fixtureKeyA', 'fixtureKeyB']) },
});
