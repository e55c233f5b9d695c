module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET', 'fixture-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'fixture-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'fixture-transfer-token-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'fixture-encryption-key') },
  rateLimit: { enabled: env.bool('ADMIN_RATE_LIMIT', false) },
  flags: { nps: false, promoteEE: false },
  autoOpen: false,
  watchIgnoreFiles: ['**/.tmp/**'],
});
