// Example hooks, as an operator would write them in config/plugins.
module.exports = {
  // Django's clean_username: "CORP\\jane" → "jane"; refuse service accounts.
  normalizeIdentity(value) {
    const name = value.includes('\\') ? value.slice(value.indexOf('\\') + 1) : value;
    return name.startsWith('svc-') ? null : name;
  },
  // Django's configure_user: remember what happened, for the tests to see.
  async onLogin({ user, created, claim }) {
    globalThis.remoteAuthLogins = globalThis.remoteAuthLogins || [];
    globalThis.remoteAuthLogins.push({ id: user.id, email: user.email, created, subject: claim.subject });
  },
};
