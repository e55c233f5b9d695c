import type { ActivityRecord } from './activity-query';

export const CSV_COLUMNS = ['time', 'kind', 'reason', 'user_id', 'user_email', 'identity', 'peer', 'source', 'details', 'instance'] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break,
 * quotes doubled. A cell a spreadsheet would run as a formula (= + - @, or a
 * leading tab / carriage return) gets a leading apostrophe: identities and
 * hints come from requests, and an export must not turn into code when opened.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

export const csvHeader = (): string => csvLine(CSV_COLUMNS);

export function csvRow(record: ActivityRecord): string {
  return csvLine([
    record.at,
    record.kind,
    record.reason,
    record.user?.id ?? null,
    record.user?.email ?? null,
    record.identity,
    record.peer,
    record.source,
    record.details,
    record.instance,
  ]);
}
