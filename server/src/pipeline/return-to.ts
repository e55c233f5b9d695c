/**
 * Where to send the browser after a hand-off (T14). Only same-origin paths
 * inside the admin panel are accepted; anything else — `//evil`, `/\evil`,
 * `\\evil`, `%2F%2Fevil`, `javascript:`, whitespace tricks, `..` escapes —
 * falls back to the admin root. Parsing is done by the WHATWG URL parser
 * against a fixed origin, never by string inspection alone.
 */
const BASE = 'http://remote-auth.invalid';

export function safeReturnTo(raw: unknown, adminPath: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return adminPath;
  // Browsers treat "\" like "/" and drop tabs/newlines; refuse both before parsing.
  if (/[\\\s\u0000-\u001f\u007f]/.test(raw)) return adminPath;
  if (!raw.startsWith('/') || raw.startsWith('//')) return adminPath;

  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return adminPath;
  }
  if (url.origin !== BASE) return adminPath;
  if (url.pathname !== adminPath && !url.pathname.startsWith(`${adminPath}/`)) return adminPath;
  return `${url.pathname}${url.search}${url.hash}`;
}
