import { checkAssertionSettings, type AssertionSettings } from '../signed-assertions/assertion-settings';
import { PRESET_DEFAULTS } from '../signed-assertions/presets';
import type { Field } from './fields';

/**
 * `assertion`: null (the plain identity header) or the signed-assertion
 * settings. `hmacSecret` inside it is write-only, like `sharedSecret.value`:
 * the settings API never returns it (see settings-controller).
 */
export function assertionField(help: string): Field<AssertionSettings | null> {
  return {
    kind: 'assertion',
    default: null,
    help,
    check: checkAssertionSettings,
  };
}

/** The header the signed assertion arrives in (configured, or the preset's). */
export const assertionHeader = (assertion: AssertionSettings): string =>
  assertion.header ?? (PRESET_DEFAULTS[assertion.preset].header as string);

/** Whether the assertion carries group memberships (a groups claim is configured or the preset has one). */
export const assertionHasGroups = (assertion: AssertionSettings | null): boolean =>
  assertion !== null && Boolean(assertion.claims?.groups ?? PRESET_DEFAULTS[assertion.preset].claims.groups);
