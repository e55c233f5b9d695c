/** How the options of the settings page are shown (values, not UI text). */

/** A section of the settings page and the options it holds, in order. */
export interface SectionLayout {
  id: string;
  keys: string[];
}

/** Options that are code: the page can only say whether config/plugins sets them. */
export const HOOKS = new Set(['normalizeIdentity', 'onLogin']);
/** Examples shown in empty text inputs (values, not UI text: not translated). */
export const PLACEHOLDERS: Record<string, string> = {
  header: 'Remote-User',
  emailDomain: 'corp.example',
  emailHeader: 'Remote-Email',
  firstNameHeader: 'Remote-Given-Name',
  lastNameHeader: 'Remote-Family-Name',
  groupsHeader: 'Remote-Groups',
  groupsSeparator: ',',
  logoutRedirectUrl: 'https://sso.example.com/logout',
};
/** Fields that take the whole width of their card. */
export const WIDE = new Set(['assertion', 'trustedProxies', 'sharedSecret', 'defaultRoles', 'groupRoles', 'logoutRedirectUrl', 'realms']);
