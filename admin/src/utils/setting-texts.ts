import type { Translate } from './useT';

/** Each option's label on the settings page. */
export function settingLabels(t: Translate): Record<string, string> {
  return {
    enabled: t('settings.enabled', 'Sign in from the proxy header'),
    mode: t('settings.mode', 'Mode'),
    header: t('settings.header', 'Identity header'),
    userField: t('settings.userField', 'The header carries'),
    emailDomain: t('settings.emailDomain', 'E-mail domain'),
    realms: t('settings.realms', 'Kerberos realms'),
    linkByEmailHeader: t('settings.linkByEmailHeader', 'Match by the e-mail header too'),
    maxNewUsersPerMinute: t('settings.maxNewUsersPerMinute', 'New accounts per minute (at most)'),
    normalizeIdentity: t('settings.normalizeIdentity', 'Identity clean-up hook (normalizeIdentity)'),
    trustedProxies: t('settings.trustedProxies', 'Trusted proxies'),
    assertion: t('settings.assertion', 'Identity-aware proxy'),
    sharedSecret: t('settings.sharedSecret', 'Shared secret'),
    emailHeader: t('settings.emailHeader', 'E-mail header'),
    firstNameHeader: t('settings.firstNameHeader', 'First name header'),
    lastNameHeader: t('settings.lastNameHeader', 'Last name header'),
    groupsHeader: t('settings.groupsHeader', 'Groups header'),
    groupsSeparator: t('settings.groupsSeparator', 'Groups separator'),
    autoCreate: t('settings.autoCreate', 'Create missing accounts'),
    linkByEmail: t('settings.linkByEmail', 'Match existing accounts by e-mail'),
    groupRoles: t('settings.groupRoles', 'Roles by group'),
    syncRoles: t('settings.syncRoles', 'Keep roles in sync'),
    allowSuperAdminMapping: t('settings.allowSuperAdminMapping', 'Let groups grant Super Admin'),
    requireGroups: t('settings.requireGroups', 'Required groups'),
    denyGroups: t('settings.denyGroups', 'Denied groups'),
    defaultRoles: t('settings.defaultRoles', 'Roles of created accounts'),
    allowInactive: t('settings.allowInactive', 'Let inactive accounts sign in'),
    deactivateAfterDays: t('settings.deactivateAfterDays', 'Deactivate after days without sign-in'),
    syncInterval: t('settings.syncInterval', 'Re-sync roles and names every (seconds)'),
    allowPasswordLogin: t('settings.allowPasswordLogin', 'Keep password login'),
    onLogin: t('settings.onLogin', 'After sign-in hook (onLogin)'),
    logoutRedirectUrl: t('settings.logoutRedirectUrl', 'Logout redirect URL'),
    activityRetentionDays: t('settings.activityRetentionDays', 'Keep sign-in activity (days)'),
  };
}

/** Each option's own hint (the server's help text is the fallback). */
function ownHints(t: Translate): Record<string, string> {
  return {
    enabled: t('settings.enabled.hint', 'Off: the plugin ignores the header and everyone uses the password form.'),
    mode: t(
      'settings.mode.hint',
      'Persistent: the header only starts a session, which lives until logout or expiry. Strict: every admin request must carry the same identity, or the session ends.',
    ),
    header: t('settings.header.hint', 'Request header the proxy fills with the identity, e.g. Remote-User or X-Forwarded-Email.'),
    userField: t('settings.userField.hint', 'An e-mail address, or a user name completed with the e-mail domain.'),
    emailDomain: t('settings.emailDomain.hint', 'Domain of the accounts: the user name jane becomes jane@corp.example with corp.example here.'),
    realms: t(
      'settings.realms.hint',
      'With user names: realms stripped from jane@REALM (any case). An identity with a realm not listed is refused.',
    ),
    linkByEmailHeader: t(
      'settings.linkByEmailHeader.hint',
      'Let the e-mail from the e-mail header link a first sign-in to an existing account. Only if the proxy vouches for that e-mail.',
    ),
    maxNewUsersPerMinute: t(
      'settings.maxNewUsersPerMinute.hint',
      'Ceiling on accounts created on sign-in, per Strapi instance. 0: no limit.',
    ),
    normalizeIdentity: t('settings.normalizeIdentity.hint', 'Code that cleans the header value or refuses it. Only config/plugins can set it.'),
    trustedProxies: t(
      'settings.trustedProxies.hint',
      'Addresses or CIDR ranges of the proxies allowed to send the header (e.g. 10.0.0.5 or 10.0.0.0/24). Requests from other peers are never signed in.',
    ),
    assertion: t(
      'settings.assertion.hint',
      'Verify the signed JWT the proxy sends with every request. None: the identity header is believed because of where the request comes from.',
    ),
    sharedSecret: t('settings.sharedSecret.hint', 'A secret header the proxy adds to every request, proving the request went through it.'),
    emailHeader: t('settings.emailHeader.hint', 'Header with the e-mail address. With user names it replaces user@domain.'),
    firstNameHeader: t('settings.firstNameHeader.hint', 'Header with the first name, copied to the account at every sign-in.'),
    lastNameHeader: t('settings.lastNameHeader.hint', 'Header with the last name, copied to the account at every sign-in.'),
    groupsHeader: t('settings.groupsHeader.hint', 'Header listing the groups the person is in, e.g. Remote-Groups.'),
    groupsSeparator: t('settings.groupsSeparator.hint', 'Between groups in the groups header: 1 to 3 punctuation characters, e.g. , or ; or |.'),
    autoCreate: t('settings.autoCreate.hint', 'Create an admin account on first sign-in for people who have none.'),
    defaultRoles: t('settings.defaultRoles.hint', 'Roles given to accounts created on sign-in (and kept when roles are synced). Avoid Super Admin.'),
    linkByEmail: t(
      'settings.linkByEmail.hint',
      'Sign an identity in as the existing account with the same e-mail. Off: only accounts this plugin created or linked before.',
    ),
    groupRoles: t('settings.groupRoles.hint', 'Roles granted to members of a group. Group names ignore case; * is a wildcard.'),
    syncRoles: t(
      'settings.syncRoles.hint',
      'On: at every sign-in the roles become exactly the default roles plus the mapped ones (others are removed). Off: mapped roles are only added.',
    ),
    allowSuperAdminMapping: t(
      'settings.allowSuperAdminMapping.hint',
      'Off: mappings to Super Admin are ignored, and syncing never removes it.',
    ),
    requireGroups: t('settings.requireGroups.hint', 'Only members of one of these groups may sign in (wildcards allowed). Empty: anyone.'),
    denyGroups: t('settings.denyGroups.hint', 'Members of any of these groups may not sign in (wildcards allowed).'),
    allowInactive: t('settings.allowInactive.hint', 'Inactive (not blocked) accounts may sign in; signing in activates them.'),
    deactivateAfterDays: t(
      'settings.deactivateAfterDays.hint',
      'Accounts single sign-on created that have not signed in for this many days are deactivated and signed out (hourly check; preview under Sessions & accounts). Never Super Admins, accounts with a password, or accounts it only linked. Empty: off.',
    ),
    syncInterval: t(
      'settings.syncInterval.hint',
      'Persistent mode, proxy sending the header on every request: roles and names follow the groups header at most this often, from requests of the same person. Empty: only at sign-in.',
    ),
    allowPasswordLogin: t(
      'settings.allowPasswordLogin.hint',
      'Off: accounts that sign in through the proxy cannot use a password. Super Admins always can.',
    ),
    onLogin: t('settings.onLogin.hint', 'Code called after every sign-in. Only config/plugins can set it.'),
    logoutRedirectUrl: t(
      'settings.logoutRedirectUrl.hint',
      'Where to send people after they log out of Strapi, e.g. the proxy’s sign-out page. Empty: back to the login page.',
    ),
    activityRetentionDays: t(
      'settings.activityRetentionDays.hint',
      'Older rows of the Activity page are deleted in the background. Shortening it deletes them within minutes.',
    ),
  };
}

/** The hints, those of the options a signed assertion overrides saying so while one is configured. */
export function settingHints(t: Translate, withAssertion: boolean): Record<string, string> {
  const hints = ownHints(t);
  if (withAssertion) {
    // With a signed assertion the identity comes from the verified token only (see the section's note).
    hints.header = t('settings.header.withAssertion', 'Ignored while a signed assertion is configured: the identity comes from the verified token.');
    const fromClaims = t(
      'settings.attributes.withAssertion',
      'Ignored while a signed assertion is configured: e-mail, names and groups come from its verified claims (Signed assertion → Advanced).',
    );
    for (const key of ['emailHeader', 'firstNameHeader', 'lastNameHeader', 'groupsHeader', 'groupsSeparator']) hints[key] = fromClaims;
    hints.trustedProxies = t(
      'settings.trustedProxies.withAssertion',
      'Optional with a signed assertion: an empty list accepts a verified assertion from any peer (Cloudflare’s edge, Google’s front ends); listing the proxy’s addresses adds defence in depth.',
    );
  }
  return hints;
}

/** Title and description of each section of the settings page. */
export function sectionTitles(t: Translate): Record<string, [string, string]> {
  return {
  signIn: [t('section.signIn', 'Sign-in'), t('section.signIn.description', 'Whether and how the proxy’s header signs people in.')],
  trust: [t('section.trust', 'Trust'), t('section.trust.description', 'Which requests may carry an identity at all.')],
  assertion: [
    t('section.assertion', 'Signed assertion'),
    t(
      'section.assertion.description',
      'Cloudflare Access, Google IAP, AWS ALB, Pomerium and OIDC gateways sign the identity they send. Verifying that signature makes the trust cryptographic.',
    ),
  ],
  attributes: [
    t('section.attributes', 'Profile headers'),
    t('section.attributes.description', 'Optional headers with more about the person. Empty: not used.'),
  ],
  accounts: [t('section.accounts', 'Accounts'), t('section.accounts.description', 'What happens to the admin accounts of the people who sign in.')],
  groups: [
    t('section.groups', 'Groups and roles'),
    t('section.groups.description', 'Who may sign in, and which roles they get, from the groups header.'),
  ],
  afterLogout: [t('section.afterLogout', 'After logout'), t('section.afterLogout.description', 'Where people go once they log out of Strapi.')],
  activity: [t('section.activity', 'Activity'), t('section.activity.description', 'How long the record of sign-ins, refusals and changes is kept.')],
  };
}
