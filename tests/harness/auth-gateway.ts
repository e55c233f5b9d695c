import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake oauth2-proxy `/oauth2/auth` on 127.0.0.1, for the proxies' "ask a
 * gateway about every request" patterns (nginx `auth_request`, Caddy
 * `forward_auth`): for a known session cookie it answers 200 with
 * `X-Auth-Request-Email` (and `X-Auth-Request-Groups` when the person has
 * groups), otherwise 401. Every call is recorded so tests can see what the
 * proxy sent to it.
 */
export interface GatewayPerson {
  /** null = the gateway answers 200 without any identity header (a broken gateway). */
  readonly email: string | null;
  /** null = no groups header in the answer at all. */
  readonly groups: string | null;
}

export interface GatewayCall {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly bodyBytes: number;
}

export interface AuthGateway {
  readonly port: number;
  /** Name of the gateway's session cookie. */
  readonly cookieName: string;
  /** `Cookie` header value of a fresh gateway session for `person`. */
  sessionFor(person: GatewayPerson): string;
  readonly calls: GatewayCall[];
  close(): Promise<void>;
}

export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export interface AuthGatewayOptions {
  /** Path of the check endpoint (default `/verify`); any other path answers 404. */
  readonly path?: string;
  /** Name of the session cookie (default `gw_session`). */
  readonly cookieName?: string;
  /** Status of a yes (default 200; oauth2-proxy's `/oauth2/auth` answers 202). */
  readonly grantStatus?: number;
  /**
   * Other paths the gateway serves as HTML pages (200), path → body, e.g.
   * oauth2-proxy's sign-in page `/oauth2/start` (the query string is ignored).
   */
  readonly pages?: Readonly<Record<string, string>>;
}

export async function startAuthGateway(options: AuthGatewayOptions = {}): Promise<AuthGateway> {
  const path = options.path ?? '/verify';
  const cookieName = options.cookieName ?? 'gw_session';
  const grantStatus = options.grantStatus ?? 200;
  const sessions = new Map<string, GatewayPerson>();
  const calls: GatewayCall[] = [];
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes });
      // Caddy's forward_auth keeps the original query string on the rewritten URI.
      const pathname = new URL(req.url ?? '/', 'http://gateway').pathname;
      const page = options.pages?.[pathname];
      if (page !== undefined && pathname !== path) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
        return;
      }
      if (pathname !== path) {
        res.writeHead(404).end();
        return;
      }
      const person = sessions.get(cookieValue(req.headers.cookie, cookieName) ?? '');
      if (!person) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end('gateway: not signed in');
        return;
      }
      const headers: Record<string, string> = {};
      if (person.email !== null) headers['X-Auth-Request-Email'] = person.email;
      if (person.groups !== null) headers['X-Auth-Request-Groups'] = person.groups;
      res.writeHead(grantStatus, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cookieName,
    calls,
    sessionFor(person) {
      const token = randomBytes(16).toString('hex');
      sessions.set(token, person);
      return `${cookieName}=${token}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
