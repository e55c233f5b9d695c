import type { AssertionRules } from '../pipeline/plain-header-identity';
import { compileSignedRules } from '../signed-assertions/signed-rules';
import { canonicalHeaderName } from '../pipeline/header-name';
import type { IdentityRules } from '../identity/request-identity';
import { parseTrustedProxies, type TrustedProxies } from '../pipeline/trusted-proxies';
import type { Settings } from './schema';

/** Settings plus what the request path needs pre-computed (parsed CIDRs, header keys, signed-assertion rules). */
export interface CompiledSettings {
  readonly settings: Settings;
  readonly assertion: AssertionRules;
  /** The plain-header rules and, when configured, the signed assertion's (see request-identity.ts). */
  readonly identity: IdentityRules;
}

/** trustedProxies: [] (allowed only with a signed assertion): no peer check, the signature is the proof. */
const ANY_PEER: TrustedProxies = { entries: [], ranges: [] };

export function compileSettings(settings: Settings): CompiledSettings {
  const assertion: AssertionRules = {
    header: canonicalHeaderName(settings.header),
    proxies: settings.trustedProxies.length === 0 && settings.assertion !== null ? ANY_PEER : parseTrustedProxies(settings.trustedProxies),
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
  };
  const claimContext = [settings.userField, settings.emailDomain, settings.realms, settings.linkByEmailHeader];
  const signed = settings.assertion ? compileSignedRules(settings.assertion, claimContext) : null;
  return { settings, assertion, identity: { header: assertion, signed } };
}
