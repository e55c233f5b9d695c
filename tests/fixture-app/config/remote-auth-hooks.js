// Example hooks, as an operator would write them in config/plugins.
// The tests run Strapi in their own process, so they read what onLogin saw
// from globalThis.remoteAuthLogins; identities starting with "hook-throws"
// make a hook throw, to prove a throwing hook refuses instead of crashing.
module.exports = {
  // Django's clean_username: "CORP\\jane" → "jane"; refuse service accounts.
  normalizeIdentity(value) {
    if (value.startsWith('hook-throws')) throw new Error('normalizeIdentity failed on purpose');
    const name = value.includes('\\') ? value.slice(value.indexOf('\\') + 1) : value;
    return name.startsWith('svc-') ? null : name;
  },
  // Django's configure_user: remember what happened, for the tests to see.
  async onLogin({ user, created, claim }) {
    if (claim.subject.startsWith('onlogin-throws')) throw new Error('onLogin failed on purpose');
    globalThis.remoteAuthLogins = globalThis.remoteAuthLogins || [];
    globalThis.remoteAuthLogins.push({ id: user.id, email: user.email, created, subject: claim.subject });
  },
};
