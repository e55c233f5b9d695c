import type { Translate } from '../../utils/useT';

/** The texts of the signed-assertion input: preset names, field labels and hints (some depend on the preset). */

/** A preset's name in the picker. */
export const presetName = (t: Translate, choice: string): string =>
  ({
    none: t('assertion.preset.none', 'None: trust the plain identity header'),
    'cloudflare-access': t('assertion.preset.cloudflare-access', 'Cloudflare Access'),
    'google-iap': t('assertion.preset.google-iap', 'Google Cloud IAP'),
    'aws-alb': t('assertion.preset.aws-alb', 'AWS Application Load Balancer'),
    pomerium: t('assertion.preset.pomerium', 'Pomerium'),
    oidc: t('assertion.preset.oidc', 'OIDC issuer (oauth2-proxy, authentik, Keycloak…)'),
    custom: t('assertion.preset.custom', 'Custom JWT'),
  })[choice] ?? choice;

/** A field's label; the audience is named as the preset's console names it. */
export const fieldLabel = (t: Translate, preset: string, key: string): string => {
  if (key === 'audience' && preset === 'cloudflare-access')
    return t('assertion.field.audience.cloudflare', 'Application Audience (AUD) tag');
  if (key === 'audience' && preset === 'oidc') return t('assertion.field.audience.oidc', 'Client ID (audience)');
  return (
    (
      {
        team: t('assertion.field.team', 'Team name'),
        audience: t('assertion.field.audience', 'Audience'),
        projectNumber: t('assertion.field.projectNumber', 'Project number'),
        backendServiceId: t('assertion.field.backendServiceId', 'Backend service ID'),
        appId: t('assertion.field.appId', 'App Engine project ID'),
        region: t('assertion.field.region', 'Region'),
        albArn: t('assertion.field.albArn', 'Load balancer ARN'),
        clientId: t('assertion.field.clientId', 'Client ID (optional)'),
        routeDomain: t('assertion.field.routeDomain', 'Route domain'),
        issuer: t('assertion.field.issuer', 'Issuer'),
        header: t('assertion.field.header', 'Assertion header'),
        jwksUrl: t('assertion.field.jwksUrl', 'Key URL (JWKS)'),
        algorithms: t('assertion.field.algorithms', 'Algorithms'),
        clockToleranceSeconds: t('assertion.field.clockToleranceSeconds', 'Clock tolerance (seconds)'),
        maxKeyAgeSeconds: t('assertion.field.maxKeyAgeSeconds', 'Keep cached keys while the key URL is down (seconds)'),
        'claims.identity': t('assertion.field.claims.identity', 'Identity claim'),
        'claims.email': t('assertion.field.claims.email', 'E-mail claim'),
        'claims.firstName': t('assertion.field.claims.firstName', 'First name claim'),
        'claims.lastName': t('assertion.field.claims.lastName', 'Last name claim'),
        'claims.groups': t('assertion.field.claims.groups', 'Groups claim'),
        groupsSeparator: t('assertion.field.groupsSeparator', 'Groups separator (when the claim is a string)'),
      } as Record<string, string>
    )[key] ?? key
  );
};

/** A field's hint, where to find the value for the chosen preset. */
export const fieldHint = (t: Translate, preset: string, key: string): string | undefined =>
  key === 'issuer' && preset === 'aws-alb'
    ? t('assertion.field.issuer.alb', 'The issuer of your identity provider, as on the ALB listener rule’s authenticate action.')
    : {
        team: t('assertion.field.team.hint', 'The <team> of https://<team>.cloudflareaccess.com (Zero Trust → Settings → Custom Pages).'),
        audience:
          preset === 'cloudflare-access'
            ? t(
                'assertion.field.audience.cloudflare.hint',
                'Access → Applications → your application → Overview: "Application Audience (AUD) Tag".',
              )
            : preset === 'oidc'
              ? t('assertion.field.audience.oidc.hint', 'The client ID the gateway signs in with: the aud of the ID token it forwards.')
              : t('assertion.field.audience.hint', 'Value the aud claim must contain. Several: separate with commas.'),
        projectNumber: t(
          'assertion.field.projectNumber.hint',
          'Google Cloud console → Dashboard → Project info (digits, not the project ID).',
        ),
        backendServiceId: t(
          'assertion.field.backendServiceId.hint',
          'For a load balancer: gcloud compute backend-services describe <name> --global --format="value(id)". Leave empty for App Engine.',
        ),
        appId: t('assertion.field.appId.hint', 'For App Engine only: the project ID. Leave empty with a backend service.'),
        region: t(
          'assertion.field.region.hint',
          'The load balancer’s region: keys come from public-keys.auth.elb.<region>.amazonaws.com.',
        ),
        albArn: t('assertion.field.albArn.hint', 'EC2 → Load balancers → your ALB → ARN. The token’s signer must be exactly this.'),
        clientId: t(
          'assertion.field.clientId.hint',
          'The OIDC client ID of the listener rule in front of Strapi. Set it when rules of this ALB share an identity provider: the token’s client must be exactly this.',
        ),
        routeDomain: t(
          'assertion.field.routeDomain.hint',
          'The route’s “from” host. Keys come from https://<domain>/.well-known/pomerium/jwks.json.',
        ),
        issuer: t(
          'assertion.field.issuer.hint',
          'The iss claim; for an OIDC issuer the keys are discovered from its /.well-known/openid-configuration.',
        ),
        header:
          preset === 'oidc' || preset === 'custom'
            ? t(
                'assertion.field.header.required',
                'Request header your gateway puts the signed JWT in (required), e.g. X-Forwarded-Id-Token.',
              )
            : t('assertion.field.header.hint', 'Request header carrying the JWT. Empty: the preset’s header.'),
        jwksUrl: t(
          'assertion.field.jwksUrl.hint',
          'Where the public keys are fetched (only ever this URL). Empty: the preset’s or the issuer’s.',
        ),
        algorithms: t(
          'assertion.field.algorithms.hint',
          'Accepted JWS algorithms, separated by commas. none is never accepted; HMAC only with a secret in config/plugins.',
        ),
        clockToleranceSeconds: t('assertion.field.clockToleranceSeconds.hint', 'Allowed clock difference for exp and nbf. Default 60.'),
        'claims.groups': t('assertion.field.claims.groups.hint', 'A JSON array of groups, or a string split with the separator below.'),
      }[key];
