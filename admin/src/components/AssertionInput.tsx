import { Accordion, Box, Field, Flex, Grid, SingleSelect, SingleSelectOption, TextInput, Typography } from '@strapi/design-system';
import { Lock } from '@strapi/icons';
import { PRESETS, PRESET_FIELDS, advancedFieldsOf, fieldOfMessage, type AssertionDraft } from '../utils/assertion-draft';
import type { FieldErrors } from '../utils/draft';
import type { InputProps } from './Inputs';

const NONE = 'none';

/** What each preset reads by default: shown as placeholders, so an empty input visibly means "the preset's value". */
const EMAIL_CLAIMS = { 'claims.identity': 'email', 'claims.email': 'email' };
const NAME_CLAIMS = {
  ...EMAIL_CLAIMS,
  'claims.firstName': 'given_name',
  'claims.lastName': 'family_name',
};
const PRESET_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
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
const EXAMPLES: Readonly<Record<string, string>> = {
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

type Props = Omit<InputProps, 'error'> & {
  value: AssertionDraft | null;
  errors: FieldErrors;
  onChange: (value: AssertionDraft | null) => void;
};

export function AssertionInput({ name, label, hint, pinned, readOnly, t, value, errors, onChange }: Props) {
  const locked = pinned || readOnly;
  const preset = value?.preset ?? NONE;
  const presetName = (choice: string): string =>
    ({
      none: t('assertion.preset.none', 'None: trust the plain identity header'),
      'cloudflare-access': t('assertion.preset.cloudflare-access', 'Cloudflare Access'),
      'google-iap': t('assertion.preset.google-iap', 'Google Cloud IAP'),
      'aws-alb': t('assertion.preset.aws-alb', 'AWS Application Load Balancer'),
      pomerium: t('assertion.preset.pomerium', 'Pomerium'),
      oidc: t('assertion.preset.oidc', 'OIDC issuer (oauth2-proxy, authentik, Keycloak…)'),
      custom: t('assertion.preset.custom', 'Custom JWT'),
    })[choice] ?? choice;

  const fieldLabel = (key: string): string => {
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

  const fieldHint = (key: string): string | undefined =>
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

  const setPreset = (next: string) => {
    if (next === preset) return;
    onChange(next === NONE ? null : { preset: next, text: {}, kept: {} });
  };
  const setText = (key: string, text: string) => {
    if (!value) return;
    onChange({ ...value, text: { ...value.text, [key]: text } });
  };

  const input = (key: string) => {
    const placeholder = PRESET_DEFAULTS[preset]?.[key] ?? EXAMPLES[key];
    return (
      <Grid.Item key={key} col={6} s={12} direction="column" alignItems="stretch">
        <Field.Root name={`${name}.${key}`} error={subError(key)} hint={fieldHint(key)} data-field={`${name}.${key}`}>
          <Field.Label>{fieldLabel(key)}</Field.Label>
          <TextInput
            value={value?.text[key] ?? ''}
            placeholder={placeholder}
            disabled={locked}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => setText(key, event.currentTarget.value)}
          />
          <Field.Hint />
          <Field.Error />
        </Field.Root>
      </Grid.Item>
    );
  };

  // A message about one of the preset's fields is shown under that field; any other under the picker.
  const named = fieldOfMessage(errors[name]);
  const shownAtField = named !== null && (PRESET_FIELDS[preset] ?? []).includes(named);
  // Under the field the message drops the name it starts with: ".audience is required …" → "Required …".
  const atField = (message: string): string => {
    const rest = message.replace(/^\.[A-Za-z.]+\s+(?:is\s+)?/, '');
    return `${rest.charAt(0).toUpperCase()}${rest.slice(1)}`;
  };
  const subError = (key: string): string | undefined =>
    errors[`${name}.${key}`] ?? (shownAtField && named === key && errors[name] ? atField(errors[name]) : undefined);
  const ownError = shownAtField || Object.keys(errors).some((key) => key.startsWith(`${name}.`)) ? undefined : errors[name];
  return (
    <Flex direction="column" alignItems="stretch" gap={4} data-field={name} data-pinned={pinned ? 'true' : undefined} data-preset={preset}>
      <Field.Root name={`${name}.preset`} hint={pinned ? t('settings.pinned.hint', 'Set in config/plugins — change it there') : hint}>
        <Field.Label
          action={
            pinned ? (
              <Box color="neutral500" title={t('settings.pinned.title', 'Set in config/plugins')} aria-hidden>
                <Lock width="1.2rem" height="1.2rem" />
              </Box>
            ) : undefined
          }
        >
          {label}
        </Field.Label>
        <SingleSelect aria-label={label} value={preset} disabled={locked} onChange={(next) => setPreset(String(next))}>
          {[NONE, ...PRESETS].map((choice) => (
            <SingleSelectOption key={choice} value={choice}>
              {presetName(choice)}
            </SingleSelectOption>
          ))}
        </SingleSelect>
        <Field.Hint />
      </Field.Root>
      {ownError ? (
        <Typography variant="pi" tag="p" textColor="danger600" data-strapi-field-error role="alert">
          {ownError}
        </Typography>
      ) : null}
      {value ? (
        <>
          <Box
            background="primary100"
            borderColor="primary200"
            borderStyle="solid"
            borderWidth="1px"
            hasRadius
            padding={4}
            role="note"
            data-notice="assertion-trust"
          >
            <Flex direction="column" alignItems="stretch" gap={1}>
              <Typography variant="omega" fontWeight="bold" textColor="neutral800">
                {t('assertion.note.title', 'Identity comes only from the verified token')}
              </Typography>
              <Typography variant="omega" textColor="neutral800">
                {t(
                  'assertion.note',
                  'With a signed assertion, the plain identity header (and unsigned companions such as x-goog-authenticated-user-email or x-amzn-oidc-identity) is ignored. Trusted proxies and the shared secret become optional defence in depth: the signature proves the request went through the proxy.',
                )}
              </Typography>
            </Flex>
          </Box>
          {(PRESET_FIELDS[preset] ?? []).length > 0 ? <Grid.Root gap={5}>{(PRESET_FIELDS[preset] ?? []).map(input)}</Grid.Root> : null}
          <Accordion.Root>
            <Accordion.Item value="advanced">
              <Accordion.Header>
                <Accordion.Trigger
                  description={t(
                    'assertion.advanced.description',
                    'Header, key URL, algorithms and claims. Empty: the preset’s values (shown greyed).',
                  )}
                >
                  {t('assertion.advanced', 'Advanced')}
                </Accordion.Trigger>
              </Accordion.Header>
              <Accordion.Content>
                <Box padding={5}>
                  <Grid.Root gap={5}>{advancedFieldsOf(preset).map(input)}</Grid.Root>
                  {Object.keys(value.kept).some((key) => key === 'keys' || key === 'hmacSecret' || key === 'hmacSecretIsSet') ? (
                    <Box paddingTop={4}>
                      <Typography variant="pi" textColor="neutral600" data-assertion-kept>
                        {t('assertion.kept', 'Static keys or an HMAC secret are set in config/plugins; they are kept as they are.')}
                      </Typography>
                    </Box>
                  ) : null}
                </Box>
              </Accordion.Content>
            </Accordion.Item>
          </Accordion.Root>
        </>
      ) : null}
    </Flex>
  );
}
