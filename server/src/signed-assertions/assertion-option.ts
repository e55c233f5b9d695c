import type { Preset } from './presets';

/**
 * The `assertion` option as the operator writes it (config/plugins or the
 * settings page): the preset and the few values naming their deployment.
 * Stored as written, minus unknown keys; `compileSignedRules` fills in the
 * preset's defaults.
 */
export interface AssertionSettings {
  preset: Preset;
  header?: string;
  team?: string;
  audience?: string | string[];
  projectNumber?: string;
  backendServiceId?: string;
  appId?: string;
  region?: string;
  albArn?: string;
  /** aws-alb: the OIDC client id of the listener rule; the JWT header's `client` must equal it. */
  clientId?: string;
  routeDomain?: string;
  issuer?: string;
  jwksUrl?: string;
  keys?: string | Record<string, unknown>;
  algorithms?: string[];
  hmacSecret?: string;
  clockToleranceSeconds?: number;
  claims?: { identity?: string; email?: string; firstName?: string; lastName?: string; groups?: string };
  groupsSeparator?: string;
  maxKeyAgeSeconds?: number;
}

/** The claims an `assertion.claims` mapping may name. */
export const CLAIM_KEYS = ['identity', 'email', 'firstName', 'lastName', 'groups'] as const;
