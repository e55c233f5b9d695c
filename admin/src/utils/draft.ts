import type { SettingsInput, SettingsPayload, ValidationIssue } from '../api';
import { assertionDraft, assertionInput, type AssertionDraft } from './assertion-draft';

/** The shared secret as the form edits it: the value is write-only. */
export interface SecretDraft {
  header: string;
  /** What the operator typed; empty keeps the stored secret. */
  value: string;
  /** The server holds a value for this secret. */
  isSet: boolean;
}

/** One row of a mapping (group → roles) as the form edits it. */
export interface MappingRow {
  key: string;
  values: string[];
}

export type Draft = Record<string, unknown> & {
  sharedSecret: SecretDraft | null;
};

/** Form values from the API's answer. Text that may be null becomes '' for the inputs. */
export function draftFrom(payload: SettingsPayload): Draft {
  const draft: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload.settings)) {
    const kind = payload.fields[key]?.kind;
    if (key === 'sharedSecret') continue;
    if (key === 'assertion') draft[key] = assertionDraft(value);
    else if (kind === 'text' && value === null) draft[key] = '';
    else if (kind === 'number') draft[key] = typeof value === 'number' ? String(value) : '';
    else if (kind === 'mapping') draft[key] = mappingRows(value);
    else if (Array.isArray(value)) draft[key] = [...value];
    else draft[key] = value;
  }
  const secret = payload.settings.sharedSecret;
  return { ...draft, sharedSecret: secret ? { header: secret.header, value: '', isSet: secret.isSet } : null };
}

/**
 * The PUT body: every editable option. Pinned keys are left out (config/plugins
 * owns them; the server would refuse a change), hooks are not settings.
 */
export function inputFrom(draft: Draft, payload: SettingsPayload): SettingsInput {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(payload.settings)) {
    if (payload.pinned.includes(key)) continue;
    const kind = payload.fields[key]?.kind;
    if (kind === 'hook') continue;
    const value = draft[key];
    if (key === 'sharedSecret') {
      const secret = draft.sharedSecret;
      input.sharedSecret = secret
        ? { header: secret.header.trim(), ...(secret.value !== '' ? { value: secret.value } : {}) }
        : null;
    } else if (key === 'assertion') {
      input.assertion = assertionInput(value as AssertionDraft | null);
    } else if (kind === 'text' && typeof value === 'string') {
      const trimmed = value.trim();
      input[key] = trimmed === '' && payload.fields[key]?.default === null ? null : trimmed;
    } else if (kind === 'number' && typeof value === 'string') {
      // Edited as text; a value that is not a number goes to the server as typed, which says why.
      const trimmed = value.trim();
      if (trimmed === '' && payload.fields[key]?.default === null) input[key] = null;
      else input[key] = trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
    } else if (kind === 'mapping' && Array.isArray(value)) {
      input[key] = mappingObject(value as MappingRow[]);
    } else if (kind === 'list' && Array.isArray(value)) {
      input[key] = value.map((item) => (typeof item === 'string' ? item.trim() : item)).filter((item) => item !== '');
    } else {
      input[key] = value;
    }
  }
  return input as SettingsInput;
}

function mappingRows(value: unknown): MappingRow[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).map(([key, values]) => ({
    key,
    values: Array.isArray(values) ? values.filter((item): item is string => typeof item === 'string') : [],
  }));
}

/** Rows back to `{ key: values }`; wholly empty rows are dropped, half-filled ones go to the server's validation. */
function mappingObject(rows: MappingRow[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (key === '' && row.values.length === 0) continue;
    const previous = result[key] ?? [];
    result[key] = [...previous, ...row.values.filter((value) => !previous.includes(value))];
  }
  return result;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** A field's error messages keyed by setting (`path[0]`); `_form` holds the rest. */
export type FieldErrors = Record<string, string>;

export function errorsFrom(issues: ValidationIssue[] | undefined, known: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues ?? []) {
    const head = issue.path?.[0];
    const key = typeof head === 'string' && known.includes(head) ? head : '_form';
    const rest = issue.path?.slice(1) ?? [];
    // trustedProxies[2] → also flag the entry itself.
    if (key !== '_form' && rest.length > 0) {
      const sub = `${key}.${rest.join('.')}`;
      errors[sub] = errors[sub] ? `${errors[sub]} ${issue.message}` : issue.message;
    }
    errors[key] = errors[key] ? `${errors[key]} ${issue.message}` : issue.message;
  }
  return errors;
}

/** Entries of a list a message names ("… "127.1" is not …") get the red border. */
export function entryErrors(entries: unknown, errors: FieldErrors, key: string): Record<number, string> {
  const result: Record<number, string> = {};
  if (!Array.isArray(entries)) return result;
  entries.forEach((entry, index) => {
    const own = errors[`${key}.${index}`];
    if (own) result[index] = own;
    else if (errors[key] && typeof entry === 'string' && entry.trim() !== '' && errors[key].includes(`"${entry.trim()}"`)) {
      result[index] = errors[key];
    }
  });
  return result;
}
