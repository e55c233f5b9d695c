/**
 * Header authentication is ambient, like a cookie: a page on another site can
 * make the browser send a request through the proxy, which adds the identity.
 * Bearer tokens closed that door for Strapi's admin API; header-authenticated
 * state-changing requests must not reopen it. They must be same-origin
 * (`Sec-Fetch-Site` or `Origin`) and carry a non-simple content type, which a
 * cross-site form or `no-cors` fetch cannot send.
 */
export interface CsrfRequest {
  readonly method: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
  readonly contentType: string | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIMPLE_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** Null when the request may proceed; otherwise why it is refused. */
export function crossSiteProblem(request: CsrfRequest): string | null {
  if (SAFE_METHODS.has(request.method)) return null;
  if (request.secFetchSite !== undefined && request.secFetchSite !== 'same-origin') {
    return `Sec-Fetch-Site is "${request.secFetchSite}", not "same-origin"`;
  }
  if (request.origin !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(request.origin).host;
    } catch {
      return `Origin "${request.origin}" is not a URL`;
    }
    if (originHost !== request.host) return `Origin ${request.origin} does not match host ${request.host ?? '(none)'}`;
  } else if (request.secFetchSite === undefined) {
    return 'neither Origin nor Sec-Fetch-Site says the request is same-origin';
  }
  const type = (request.contentType ?? '').split(';')[0].trim().toLowerCase();
  if (SIMPLE_TYPES.includes(type)) return `content type "${type}" can be sent cross-site by a form`;
  return null;
}
