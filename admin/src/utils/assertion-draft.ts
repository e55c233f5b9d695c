/**
 * The `assertion` setting as the form edits it: flat text inputs (claims as
 * `claims.email`, lists as comma-separated text), plus the parts the page
 * does not edit (`keys`, `hmacSecret`: config/plugins only), sent back as
 * they came.
 */
export const PRESETS = ['cloudflare-access', 'google-iap', 'aws-alb', 'pomerium', 'oidc', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

export interface AssertionDraft {
  preset: string;
  text: Record<string, string>;
  kept: Record<string, unknown>;
}

/** The few fields each preset needs, in the order the page shows them. */
export const PRESET_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'cloudflare-access': ['team', 'audience'],
  'google-iap': ['projectNumber', 'backendServiceId', 'appId'],
  'aws-alb': ['region', 'albArn', 'issuer', 'clientId'],
  pomerium: ['routeDomain'],
  oidc: ['issuer', 'audience', 'header'],
  custom: ['header', 'issuer', 'jwksUrl', 'audience', 'algorithms'],
};

/** Everything else the page can edit, behind "Advanced". */
export const ADVANCED_FIELDS: readonly string[] = [
  'header',
  'issuer',
  'jwksUrl',
  'audience',
  'algorithms',
  'clockToleranceSeconds',
  'maxKeyAgeSeconds',
  'claims.identity',
  'claims.email',
  'claims.firstName',
  'claims.lastName',
  'claims.groups',
  'groupsSeparator',
];

/** Fields only one preset takes (the server refuses them with any other): left out when another preset is chosen. */
const PRESET_ONLY: Readonly<Record<string, string>> = { clientId: 'aws-alb' };

const TEXT_KEYS = new Set([...Object.values(PRESET_FIELDS).flat(), ...ADVANCED_FIELDS]);
const LISTS = new Set(['algorithms']);
const NUMBERS = new Set(['clockToleranceSeconds', 'maxKeyAgeSeconds']);
const CLAIMS = ['identity', 'email', 'firstName', 'lastName', 'groups'] as const;

/** What a preset derives itself and refuses to be given (Pomerium: iss = aud = the route domain). */
const DERIVED: Readonly<Record<string, readonly string[]>> = {
  'google-iap': ['audience'],
  pomerium: ['issuer', 'audience'],
};

/** Advanced fields: not those the preset shows in its main part, nor those it derives. */
export const advancedFieldsOf = (preset: string): string[] =>
  ADVANCED_FIELDS.filter((key) => !(PRESET_FIELDS[preset] ?? []).includes(key) && !(DERIVED[preset] ?? []).includes(key));

/**
 * The sub-field a server message names: the settings API answers with the
 * message on `assertion` (".team is required …", ".claims.email must …").
 */
export function fieldOfMessage(message: string | undefined): string | null {
  const match = /^\.([A-Za-z]+)(?:\.([A-Za-z]+))?\b/.exec(message ?? '');
  if (!match) return null;
  return match[1] === 'claims' && match[2] ? `claims.${match[2]}` : match[1];
}

const asText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
};

export function assertionDraft(value: unknown): AssertionDraft | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { preset, claims, ...rest } = value as Record<string, unknown>;
  const text: Record<string, string> = {};
  const kept: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(rest)) {
    if (TEXT_KEYS.has(key)) text[key] = asText(item);
    else kept[key] = item;
  }
  if (claims && typeof claims === 'object' && !Array.isArray(claims)) {
    for (const [name, item] of Object.entries(claims as Record<string, unknown>)) {
      if ((CLAIMS as readonly string[]).includes(name)) text[`claims.${name}`] = asText(item);
      else
        kept.claims = {
          ...((kept.claims as Record<string, unknown>) ?? {}),
          [name]: item,
        };
    }
  }
  return { preset: typeof preset === 'string' ? preset : 'custom', text, kept };
}

const split = (value: string): string[] =>
  value
    .split(/[,\s]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** The value the settings API takes; empty inputs are left out, so the preset's defaults apply. */
export function assertionInput(draft: AssertionDraft | null): Record<string, unknown> | null {
  if (!draft) return null;
  const result: Record<string, unknown> = {
    ...draft.kept,
    preset: draft.preset,
  };
  const claims: Record<string, unknown> = {
    ...((draft.kept.claims as Record<string, unknown>) ?? {}),
  };
  for (const [key, raw] of Object.entries(draft.text)) {
    const value = raw.trim();
    if (value === '' || (PRESET_ONLY[key] !== undefined && PRESET_ONLY[key] !== draft.preset)) continue;
    if (key.startsWith('claims.')) claims[key.slice('claims.'.length)] = value;
    else if (LISTS.has(key)) result[key] = split(value);
    // Edited as text; what is not a number goes to the server as typed, which says why.
    else if (NUMBERS.has(key)) result[key] = Number.isFinite(Number(value)) ? Number(value) : value;
    else if (key === 'audience' && value.includes(',')) result[key] = split(value);
    else result[key] = value;
  }
  if (Object.keys(claims).length > 0) result.claims = claims;
  else delete result.claims;
  return result;
}
