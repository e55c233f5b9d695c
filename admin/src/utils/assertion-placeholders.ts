/** Placeholders of the signed-assertion fields (values, not UI text: not translated). */

/** What each preset reads by default: shown as placeholders, so an empty input visibly means "the preset's value". */
const EMAIL_CLAIMS = { 'claims.identity': 'email', 'claims.email': 'email' };
const NAME_CLAIMS = {
  ...EMAIL_CLAIMS,
  'claims.firstName': 'given_name',
  'claims.lastName': 'family_name',
};
export const PRESET_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'cloudflare-access': {
    header: 'Cf-Access-Jwt-Assertion',
    algorithms: 'RS256',
    ...EMAIL_CLAIMS,
  },
  'google-iap': {
    header: 'x-goog-iap-jwt-assertion',
    algorithms: 'ES256',
    issuer: 'https://cloud.google.com/iap',
    jwksUrl: 'https://www.gstatic.com/iap/verify/public_key-jwk',
    ...EMAIL_CLAIMS,
  },
  'aws-alb': {
    header: 'x-amzn-oidc-data',
    algorithms: 'ES256',
    ...NAME_CLAIMS,
    'claims.identity': 'sub',
  },
  pomerium: {
    header: 'X-Pomerium-Jwt-Assertion',
    algorithms: 'ES256',
    ...NAME_CLAIMS,
    'claims.groups': 'groups',
  },
  oidc: {
    header: 'X-Forwarded-Id-Token',
    algorithms: 'RS256, ES256',
    ...NAME_CLAIMS,
    'claims.identity': 'sub',
    'claims.groups': 'groups',
  },
  custom: {
    algorithms: 'RS256, ES256',
    ...NAME_CLAIMS,
    'claims.identity': 'sub',
    'claims.groups': 'groups',
  },
};

/** Examples of the values an operator copies from the provider's console (not translated). */
export const EXAMPLES: Readonly<Record<string, string>> = {
  team: 'your-team',
  audience: '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2',
  projectNumber: '123456789012',
  backendServiceId: '1234567890123456789',
  appId: 'my-project-id',
  region: 'eu-west-1',
  albArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/strapi/50dc6c495c0c9188',
  clientId: '1example23456789',
  routeDomain: 'strapi.corp.example',
  issuer: 'https://auth.corp.example/realms/corp',
  jwksUrl: 'https://auth.corp.example/.well-known/jwks.json',
  clockToleranceSeconds: '60',
  maxKeyAgeSeconds: '86400',
  groupsSeparator: ',',
  header: 'X-Identity-Assertion',
};
