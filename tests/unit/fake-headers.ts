import type { HeaderSource } from '../../server/src/pipeline/identity-header';

/**
 * Builds the `{ headersDistinct, rawHeaders }` pair Node's IncomingMessage
 * exposes, from header lines in wire order: names keep their spelling in
 * `rawHeaders`; `headersDistinct` is keyed by the lower-cased name (Node keeps
 * `_` as is) and collects every occurrence in order.
 */
export function headers(...lines: Array<[string, string]>): HeaderSource {
  const headersDistinct: Record<string, string[]> = Object.create(null);
  const rawHeaders: string[] = [];
  for (const [name, value] of lines) {
    rawHeaders.push(name, value);
    (headersDistinct[name.toLowerCase()] ??= []).push(value);
  }
  return { headersDistinct, rawHeaders };
}

/** A UTF-8 string as Node hands it over in a header value: its bytes decoded as latin1. */
export const asLatin1 = (value: string): string => Buffer.from(value, 'utf8').toString('latin1');
