import type { AssertionRules } from '../pipeline/assertion';
import { canonicalHeaderName } from '../pipeline/header-name';
import { parseTrustedProxies } from '../pipeline/trusted-proxies';
import type { Settings } from './schema';

/** Settings plus what the request path needs pre-computed (parsed CIDRs, header keys). */
export interface CompiledSettings {
  readonly settings: Settings;
  readonly assertion: AssertionRules;
}

export function compileSettings(settings: Settings): CompiledSettings {
  return {
    settings,
    assertion: {
      header: canonicalHeaderName(settings.header),
      proxies: parseTrustedProxies(settings.trustedProxies),
      secret: settings.sharedSecret
        ? { header: canonicalHeaderName(settings.sharedSecret.header), value: settings.sharedSecret.value }
        : null,
      userField: settings.userField,
      emailDomain: settings.emailDomain,
      realms: [...settings.realms],
      linkByEmailHeader: settings.linkByEmailHeader,
      emailHeader: settings.emailHeader ? canonicalHeaderName(settings.emailHeader) : null,
      firstNameHeader: settings.firstNameHeader ? canonicalHeaderName(settings.firstNameHeader) : null,
      lastNameHeader: settings.lastNameHeader ? canonicalHeaderName(settings.lastNameHeader) : null,
      groupsHeader: settings.groupsHeader ? canonicalHeaderName(settings.groupsHeader) : null,
      groupsSeparator: settings.groupsSeparator,
    },
  };
}
