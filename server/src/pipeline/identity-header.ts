import { foldHeaderName } from './header-name';
import { Refusal } from './refusal';

/** The parts of Node's `IncomingMessage` this module reads. */
export interface HeaderSource {
  readonly headersDistinct: NodeJS.Dict<string[]>;
  readonly rawHeaders: readonly string[];
}

export type HeaderReading = { readonly state: 'absent' } | { readonly state: 'present'; readonly value: string };

export const MAX_IDENTITY_LENGTH = 256;

const ABSENT: HeaderReading = { state: 'absent' };
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * True when the request carries the header, or a twin whose name differs only
 * by `_` / `-` or case. Used to decide whether the trust checks must run at all:
 * a request without any of them is simply anonymous.
 */
export function mentionsHeader(source: HeaderSource, name: string): boolean {
  if (source.headersDistinct[name] !== undefined) return true;
  const folded = foldHeaderName(name);
  for (let i = 0; i < source.rawHeaders.length; i += 2) {
    if (foldHeaderName(source.rawHeaders[i]) === folded) return true;
  }
  return false;
}

/**
 * The hygiene every header the plugin reads gets: returns the one raw value,
 * null when the header is absent, and refuses
 * - a header whose name differs only by `_`/`-` or case: we cannot know which
 *   one the proxy meant (T4);
 * - more than one occurrence: Node would join them with ", " and taking the
 *   first or last would let a client's copy win (T5).
 * `what` names the header in the operator's log line ("identity header").
 */
export function readOnce(source: HeaderSource, name: string, what: string, label = name): string | null {
  const folded = foldHeaderName(name);
  for (let i = 0; i < source.rawHeaders.length; i += 2) {
    const rawName = source.rawHeaders[i];
    if (rawName.toLowerCase() !== name && foldHeaderName(rawName) === folded) {
      throw new Refusal(
        'header-twin',
        400,
        `request carries "${rawName}", a look-alike of the ${what} "${label}"; ` +
          'make the proxy strip client copies of both spellings',
        'The request carries conflicting identity headers.',
      );
    }
  }
  const occurrences = source.headersDistinct[name];
  if (occurrences === undefined) return null;
  if (occurrences.length !== 1) {
    throw new Refusal(
      'duplicate-header',
      400,
      `${what} "${label}" appears ${occurrences.length} times; ` +
        'configure the proxy to overwrite the header (proxy_set_header / RequestHeader set), not append to it',
      'The request carries more than one identity header.',
    );
  }
  return occurrences[0];
}

/**
 * Reads exactly one well-formed occurrence of the identity header `name`
 * (lower-case), after `readOnce`'s checks:
 * - no header, or only whitespace → absent: anonymous, never a default user (T6);
 * - commas, control characters and values over 256 characters → refused (T5, T7).
 */
export function readIdentityHeader(source: HeaderSource, name: string, label = name): HeaderReading {
  const raw = readOnce(source, name, 'identity header', label);
  if (raw === null) return ABSENT;

  const value = raw.trim();
  if (value === '') return ABSENT;
  if (value.includes(',')) {
    throw new Refusal(
      'forbidden-character',
      400,
      `identity header "${label}" contains a comma, which is how joined duplicates look`,
      'The identity sent by the proxy is not valid.',
    );
  }
  if (CONTROL.test(value)) {
    throw new Refusal(
      'forbidden-character',
      400,
      `identity header "${label}" contains a control character`,
      'The identity sent by the proxy is not valid.',
    );
  }
  if (value.length > MAX_IDENTITY_LENGTH) {
    throw new Refusal(
      'value-too-long',
      400,
      `identity header "${label}" is ${value.length} characters long (limit ${MAX_IDENTITY_LENGTH})`,
      'The identity sent by the proxy is not valid.',
    );
  }
  return { state: 'present', value };
}

/** Reads a single-occurrence header value without identity rules (used for the shared secret). */
export function readSingleValue(source: HeaderSource, name: string): string | null {
  const occurrences = source.headersDistinct[name];
  if (occurrences === undefined || occurrences.length !== 1) return null;
  return occurrences[0];
}
