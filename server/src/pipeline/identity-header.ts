import { foldHeaderName } from './header-name';
import { INVALID_IDENTITY, Refusal } from './refusal';
import { trimBlanks } from './text-values';

/** The parts of Node's `IncomingMessage` this module reads. */
export interface HeaderSource {
  readonly headersDistinct: NodeJS.Dict<string[]>;
  readonly rawHeaders: readonly string[];
}

export type HeaderReading = { readonly state: 'absent' } | { readonly state: 'present'; readonly value: string };

export const MAX_IDENTITY_LENGTH = 256;

/**
 * Node keeps only the first 1,000 header lines in `headers`/`headersDistinct`
 * (`server.maxHeadersCount` 2000 = 1000 name/value pairs) and about the first
 * 1,023 in `rawHeaders`; lines after that are dropped without a trace. A client
 * that pads its request can push the copy the proxy appended out of view, and
 * its own copy would look like the only one (T22). A request at the limit may
 * have lost lines, so no header the plugin reads is trusted from it.
 */
export const MAX_HEADER_LINES = 1000;

const ABSENT: HeaderReading = { state: 'absent' };
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * True when the request carries the header, or a twin whose name differs only
 * by `_` / `-` or case. Used to decide whether the trust checks must run at all:
 * a request without any of them is simply anonymous.
 */
export function mentionsHeader(source: HeaderSource, name: string): boolean {
  if (source.headersDistinct[name] !== undefined) return true;
  // Node may have dropped header lines at the limit: the identity header may be among them.
  if (source.rawHeaders.length / 2 >= MAX_HEADER_LINES) return true;
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
 * - more than one occurrence, counted over every raw header line: Node would
 *   join them with ", " and taking the first or last would let a client's
 *   copy win (T5);
 * - a request with so many header lines that Node may have dropped some (T22).
 * `what` names the header in the operator's log line ("identity header").
 */
export function readOnce(source: HeaderSource, name: string, what: string, label = name): string | null {
  assertAllHeadersSeen(source, what, label);
  const folded = foldHeaderName(name);
  const occurrences: string[] = [];
  for (let i = 0; i < source.rawHeaders.length; i += 2) {
    const rawName = source.rawHeaders[i];
    if (rawName.toLowerCase() === name) {
      occurrences.push(source.rawHeaders[i + 1]);
    } else if (foldHeaderName(rawName) === folded) {
      throw new Refusal(
        'header-twin',
        `request carries "${rawName}", a look-alike of the ${what} "${label}"; ` +
          'make the proxy strip client copies of both spellings',
        'The request carries conflicting identity headers.',
      );
    }
  }
  if (occurrences.length === 0) return null;
  if (occurrences.length !== 1) {
    throw new Refusal(
      'duplicate-header',
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
 * - no header, or only ASCII spaces and tabs → absent: anonymous, never a default user (T6);
 *   nothing else is trimmed, so "alice\u00A0" stays itself and is refused as non-ASCII;
 * - commas, control characters and values over 256 characters → refused (T5, T7).
 */
export function readIdentityHeader(source: HeaderSource, name: string, label = name): HeaderReading {
  const raw = readOnce(source, name, 'identity header', label);
  if (raw === null) return ABSENT;

  const value = trimBlanks(raw);
  if (value === '') return ABSENT;
  if (value.includes(',')) {
    throw new Refusal(
      'forbidden-character',
      `identity header "${label}" contains a comma, which is how joined duplicates look`,
      INVALID_IDENTITY,
    );
  }
  if (CONTROL.test(value)) {
    throw new Refusal(
      'forbidden-character',
      `identity header "${label}" contains a control character`,
      INVALID_IDENTITY,
    );
  }
  if (value.length > MAX_IDENTITY_LENGTH) {
    throw new Refusal(
      'value-too-long',
      `identity header "${label}" is ${value.length} characters long (limit ${MAX_IDENTITY_LENGTH})`,
      INVALID_IDENTITY,
    );
  }
  return { state: 'present', value };
}

/** Refuses a request whose header lines Node may have truncated (T22). */
export function assertAllHeadersSeen(source: HeaderSource, what: string, label: string): void {
  const lines = source.rawHeaders.length / 2;
  if (lines < MAX_HEADER_LINES) return;
  throw new Refusal(
    'too-many-headers',
    `request carries ${lines} or more header lines (limit ${MAX_HEADER_LINES - 1}): Node drops lines past its limit, ` +
      `so a copy of the ${what} "${label}" appended by the proxy could be hidden`,
    'The request carries too many headers.',
  );
}

/**
 * Reads a single-occurrence header value without identity rules (used for the
 * shared secret): null when absent or sent more than once, counted over every
 * raw header line; refuses a request Node may have truncated (T22).
 */
export function readSingleValue(source: HeaderSource, name: string): string | null {
  assertAllHeadersSeen(source, 'header', name);
  let value: string | null = null;
  for (let i = 0; i < source.rawHeaders.length; i += 2) {
    if (source.rawHeaders[i].toLowerCase() !== name) continue;
    if (value !== null) return null;
    value = source.rawHeaders[i + 1];
  }
  return value;
}
