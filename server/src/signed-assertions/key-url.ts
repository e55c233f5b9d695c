import { isIP } from 'node:net';

/**
 * Where keys (and OIDC discovery documents) may be fetched from: https, or
 * plain http only to this machine's loopback (a local key server, tests).
 * Keys fetched in clear text over a network could be swapped on the way, and
 * every signature would then prove nothing. Returns a problem sentence or null.
 */
export function keyUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute https URL, got "${value}"`;
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not have a #fragment';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return null;
  return `must use https (plain http only to 127.0.0.1, ::1 or localhost), got "${value}"`;
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return isIP(host) === 6 && host === '::1';
}
