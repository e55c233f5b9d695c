/**
 * Header authentication is ambient, like a cookie (T17): whatever the proxy
 * uses to know the person (Basic, Kerberos, a client certificate, a gateway
 * cookie) the browser also sends on requests another site's page makes, and
 * the proxy adds the identity header to them. Strapi's default CORS then
 * hands the response to that page. So a request authenticated *by the header*
 * is honoured only when it comes from the admin's own origin — scheme, host
 * and port — for every method, reads included.
 *
 * Evidence, from browsers' forbidden headers (a page cannot set them):
 * - `Sec-Fetch-Site`, when present, must be `same-origin` (`none`, a typed URL
 *   or bookmark, is not how the admin app calls its API either);
 * - `Origin`, when present, must equal the admin's origin (`null` never does);
 * - `Referer` is ignored: privacy settings strip it, so it proves nothing.
 * A read with neither header comes from a non-browser client or an old
 * browser's same-origin request (every browser sends `Origin` on a cross-origin
 * read it could hand to the page). A write needs positive evidence, and a
 * non-simple content type, which a cross-site form or `no-cors` fetch cannot send.
 */
export interface HeaderAuthenticatedRequest {
  readonly method: string;
  /** The admin's own origin, from `expectedOrigin`. */
  readonly expectedOrigin: string;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
  readonly contentType: string | undefined;
}

const READS = new Set(['GET', 'HEAD']);
const SIMPLE_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * The origin the browser sees: `server.url` when it is an absolute URL (the
 * operator's statement of the public address), else the request's own origin
 * as Koa computes it (`X-Forwarded-Proto`/`-Host` honoured only with
 * `server.proxy` on).
 */
export function expectedOrigin(serverUrl: unknown, requestOrigin: string): string {
  return statedOrigin(serverUrl) ?? requestOrigin;
}

/** The origin an absolute http(s) `server.url` names; null when it names none (unset, empty, relative "/cms"). */
export function statedOrigin(serverUrl: unknown): string | null {
  if (typeof serverUrl !== 'string' || serverUrl.trim() === '') return null;
  try {
    const url = new URL(serverUrl.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null; // a relative server.url ("/cms") names no origin
  }
}

/**
 * `scheme://host[:port]` of an Origin header, a Referer or a page's location,
 * or null when it names none (`null`, garbage, a path).
 */
export function originOf(header: string): string | null {
  try {
    const url = new URL(header);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

export type OriginEvidence = Pick<HeaderAuthenticatedRequest, 'expectedOrigin' | 'origin' | 'secFetchSite'>;

/**
 * Whether a page of another origin could read the response: `Sec-Fetch-Site`
 * and `Origin`, when present, must say same-origin (a browser always sends
 * `Origin` on a cross-origin request whose response a page can read). Null
 * when nothing says the request is foreign.
 */
export function foreignOriginProblem(request: OriginEvidence): string | null {
  const { secFetchSite, origin, expectedOrigin: expected } = request;
  if (secFetchSite !== undefined && secFetchSite !== 'same-origin') {
    return `Sec-Fetch-Site is "${secFetchSite}", not "same-origin"`;
  }
  if (origin !== undefined) {
    const actual = originOf(origin);
    if (actual === null) return `Origin "${origin}" names no origin`;
    if (actual !== expected) return `Origin ${actual} is not the admin's origin ${expected}`;
  }
  return null;
}

/** Null when the request may proceed; otherwise why it is refused. */
export function crossOriginProblem(request: HeaderAuthenticatedRequest): string | null {
  const foreign = foreignOriginProblem(request);
  if (foreign) return foreign;
  const { secFetchSite, origin } = request;
  // Methods are case-sensitive: `get` is not a read.
  if (READS.has(request.method)) return null;
  if (origin === undefined && secFetchSite === undefined) {
    return 'neither Origin nor Sec-Fetch-Site says the request is same-origin';
  }
  const type = (request.contentType ?? '').split(';')[0].trim().toLowerCase();
  if (SIMPLE_TYPES.includes(type)) return `content type "${type}" can be sent cross-site by a form`;
  return null;
}

export interface SignInStepRequest {
  readonly secFetchSite: string | undefined;
  readonly secFetchMode: string | undefined;
}

/**
 * `GET /remote-auth/login` and `/remote-auth/logout` change the browser's
 * sign-in state (they clear the signed-out marker), so another page must not
 * be able to fire them behind the person's back:
 * - both must be top-level navigations the person sees (`Sec-Fetch-Mode:
 *   navigate`), never a fetch, image or frame another page embeds;
 * - sign-out must start on the admin itself (`Sec-Fetch-Site: same-origin`,
 *   or `none` for a typed or bookmarked address). Sign-in may arrive
 *   cross-site: it is where the identity provider sends the browser back after
 *   the proxy's login, and it only ever signs the browser in as the identity
 *   the proxy asserts for it.
 * Browsers without Fetch Metadata send neither header and are let through.
 */
export function signInStepProblem(step: 'login' | 'logout', request: SignInStepRequest): string | null {
  const { secFetchSite, secFetchMode } = request;
  if (secFetchMode !== undefined && secFetchMode !== 'navigate') {
    return `Sec-Fetch-Mode is "${secFetchMode}": /remote-auth/${step} must be a top-level navigation`;
  }
  if (step === 'logout' && secFetchSite !== undefined && secFetchSite !== 'same-origin' && secFetchSite !== 'none') {
    return `Sec-Fetch-Site is "${secFetchSite}": sign-out must start on the admin itself`;
  }
  return null;
}
