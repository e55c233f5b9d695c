/**
 * A tiny stand-in for a company SSO reverse proxy (oauth2-proxy, Authelia,
 * Apache mod_auth_*, …) for the demo and the end-to-end tests. node:http only.
 *
 * - `/_sso/login` shows a sign-in form: type any e-mail address (and optionally
 *   groups); the simulator remembers the person in an in-memory session keyed
 *   by the httpOnly cookie `sso_sim`.
 * - `/_sso/logout` forgets the session.
 * - Everything else is forwarded to Strapi. Like a correctly configured proxy,
 *   the simulator first deletes every client-sent copy of the identity, groups
 *   and shared-secret headers — including look-alike spellings such as
 *   `Remote_User` — and then, for a signed-in browser, sets its own.
 *   Not signed in: navigations to the admin panel are sent to the sign-in form;
 *   other requests (assets, the API) go through without an identity.
 *
 * Plain HTTP only; WebSocket upgrades are not forwarded.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface SsoSimulatorOptions {
  /** Port to listen on; 0 picks a free one (see the returned `url`). */
  readonly listenPort: number;
  readonly listenHost?: string;
  /** Origin of Strapi, e.g. `http://127.0.0.1:1337`. */
  readonly upstream: string;
  readonly identityHeader?: string;
  readonly groupsHeader?: string;
  /** The plugin's `sharedSecret`: added to every forwarded request of a signed-in browser. */
  readonly secret?: { readonly header: string; readonly value: string };
  /** Called with one line per notable event (sign-in, sign-out, upstream error). */
  readonly log?: (line: string) => void;
  /**
   * Groups offered under the form (what each one becomes in Strapi), e.g. the
   * demo's `{ group: 'demo-admins', meaning: 'Super Admin …' }`.
   */
  readonly suggestedGroups?: readonly { readonly group: string; readonly meaning: string }[];
}

export interface SsoSimulator {
  /** e.g. `http://127.0.0.1:8080` — the real port when `listenPort` was 0. */
  readonly url: string;
  close(): Promise<void>;
}

interface Person {
  readonly email: string;
  readonly groups: readonly string[];
}

export const SESSION_COOKIE = 'sso_sim';
const SSO_PREFIX = '/_sso/';
const MAX_FORM_BYTES = 16 * 1024;
const MAX_SESSIONS = 10_000;

/** `Remote_User`, `REMOTE-USER` and `remote-user` are the same header to some proxy or framework. */
const fold = (name: string): string => name.toLowerCase().replace(/_/g, '-');

/** Request headers that describe one connection, not the request (RFC 9110 §7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'transfer-encoding', 'expect'];
/** Headers the simulator writes itself; client copies would be lies. */
const FORWARDING = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip'];
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'trailer']);

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Only admin-panel paths (and the plugin's explicit SSO route) are valid places to return to. */
function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '' || raw.length > 2048) return '/admin';
  if (/[\\\s\u0000-\u001f\u007f]/.test(raw) || !raw.startsWith('/') || raw.startsWith('//')) return '/admin';
  let url: URL;
  try {
    url = new URL(raw, 'http://sso-simulator.invalid');
  } catch {
    return '/admin';
  }
  if (url.origin !== 'http://sso-simulator.invalid') return '/admin';
  const allowed = url.pathname === '/admin' || url.pathname.startsWith('/admin/') || url.pathname === '/remote-auth/login';
  return allowed ? `${url.pathname}${url.search}` : '/admin';
}

/** A browser navigation (not an XHR or an asset) to a page the SSO protects. */
function isProtectedNavigation(req: IncomingMessage, pathname: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const underAdmin = pathname === '/admin' || pathname.startsWith('/admin/');
  if (!underAdmin && pathname !== '/remote-auth/login') return false;
  if (pathname.slice(pathname.lastIndexOf('/') + 1).includes('.')) return false;
  const dest = req.headers['sec-fetch-dest'];
  if (typeof dest === 'string' && dest !== '') return dest === 'document';
  return (req.headers.accept ?? '').toLowerCase().includes('text/html');
}

function cookiePairs(header: string): Array<[string, string]> {
  return header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq === -1 ? [part, ''] : [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    });
}

function sessionIds(req: IncomingMessage): string[] {
  const ids: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== 'cookie') continue;
    for (const [name, value] of cookiePairs(req.rawHeaders[i + 1])) if (name === SESSION_COOKIE) ids.push(value);
  }
  return ids;
}

/** Node refuses header values outside latin1; a real proxy sends UTF-8 bytes, so do that. */
const headerValue = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · SSO simulator</title>
<style>
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f6f9;color:#32324d;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:#fff;padding:2.5rem;border-radius:8px;box-shadow:0 1px 4px rgba(33,33,52,.1);width:100%;max-width:28rem}
.badge{display:inline-block;font-size:.75rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:#4945ff;background:#f0f0ff;border-radius:4px;padding:.2rem .5rem}
h1{font-size:1.35rem;margin:.75rem 0 .5rem}p{line-height:1.5;color:#4a4a6a}
label{display:block;font-weight:600;font-size:.875rem;margin:1.1rem 0 .35rem}
label small{font-weight:400;color:#666687}
input{width:100%;padding:.6rem .75rem;border:1px solid #dcdce4;border-radius:4px;font:inherit}
input:focus{outline:2px solid #4945ff;outline-offset:-1px;border-color:#4945ff}
button,.button{display:inline-block;margin-top:1.5rem;width:100%;padding:.7rem;border:0;border-radius:4px;background:#4945ff;color:#fff;font:inherit;font-weight:600;cursor:pointer;text-align:center;text-decoration:none}
button:hover,.button:hover{background:#271fe0}
.error{color:#d02b20;background:#fcecea;border-radius:4px;padding:.5rem .75rem}
.note{font-size:.8rem;color:#666687;margin-top:1.5rem}
code{font-size:.85em;background:#f6f6f9;padding:0 .25rem;border-radius:3px}
a{color:#4945ff}
</style></head>
<body><main><span class="badge">SSO simulator</span>
${body}
</main></body></html>`;
}

export async function startSsoSimulator(options: SsoSimulatorOptions): Promise<SsoSimulator> {
  const listenHost = options.listenHost ?? '127.0.0.1';
  const identityHeader = options.identityHeader ?? 'Remote-User';
  const groupsHeader = options.groupsHeader ?? 'Remote-Groups';
  const secret = options.secret;
  const log = options.log ?? (() => undefined);
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:') throw new TypeError(`upstream must be an http:// URL, got "${options.upstream}"`);
  const upstreamBase = upstream.pathname.replace(/\/+$/, '');

  const protectedNames = new Set([identityHeader, groupsHeader, ...(secret ? [secret.header] : [])].map(fold));
  const removedNames = new Set([...protectedNames, ...HOP_BY_HOP, ...FORWARDING].map(fold));
  const sessions = new Map<string, Person>();
  const agent = new http.Agent({ keepAlive: true });
  const inFlight = new Set<http.ClientRequest>();

  const personOf = (req: IncomingMessage): { id: string; person: Person } | null => {
    for (const id of sessionIds(req)) {
      const person = sessions.get(id);
      if (person) return { id, person };
    }
    return null;
  };

  function sendPage(res: ServerResponse, status: number, title: string, body: string, extraHeaders: Record<string, string | string[]> = {}): void {
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'same-origin',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      ...extraHeaders,
    });
    res.end(page(title, body));
  }

  // No script (the page's CSP allows none): a datalist the groups field offers, and the list in words.
  const suggested = options.suggestedGroups ?? [];
  const suggestions =
    suggested.length === 0
      ? ''
      : `<datalist id="group-suggestions">${suggested.map(({ group, meaning }) => `<option value="${escapeHtml(group)}">${escapeHtml(meaning)}</option>`).join('')}</datalist>
<ul class="note" id="suggested-groups">${suggested.map(({ group, meaning }) => `<li><code>${escapeHtml(group)}</code>: ${escapeHtml(meaning)}</li>`).join('')}</ul>`;

  function loginForm(res: ServerResponse, next: string, current: Person | null, error?: string, values: { email?: string; groups?: string } = {}, status = 200): void {
    const signedIn = current
      ? `<p>You are signed in as <strong>${escapeHtml(current.email)}</strong>. Signing in again replaces that identity. <a href="/_sso/logout">Sign out</a></p>`
      : '';
    sendPage(
      res,
      status,
      'Sign in',
      `<h1>Sign in to your company</h1>
<p>This page simulates a company single sign-on proxy. It does not check passwords: whoever you type in is
who the proxy tells Strapi you are, through the <code>${escapeHtml(identityHeader)}</code> header.</p>
${signedIn}
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/_sso/login">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label for="email">E-mail address</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus placeholder="jane@corp.example" value="${escapeHtml(values.email ?? '')}">
<label for="groups">Groups <small>(optional, comma separated)</small></label>
<input id="groups" name="groups" type="text"${suggested.length > 0 ? ' list="group-suggestions"' : ''} placeholder="editors, marketing" value="${escapeHtml(values.groups ?? '')}">
${suggestions}
<button type="submit">Sign in</button>
</form>
<p class="note">Sends <code>${escapeHtml(groupsHeader)}</code> for groups${secret ? ` and the shared secret in <code>${escapeHtml(secret.header)}</code>` : ''}; any copies of these headers sent by the browser are removed first.</p>`,
    );
  }

  async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) return null;
      chunks.push(chunk);
    }
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  /**
   * Refuses sign-ins posted from another site (login CSRF): a demo should still
   * show good manners. Browsers say where a request comes from in
   * Sec-Fetch-Site; older ones only in Origin (which is "null" after a
   * no-referrer page, so that is not trusted on its own).
   */
  function crossSite(req: IncomingMessage): boolean {
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== '') return site === 'cross-site';
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    try {
      return new URL(origin).host !== req.headers.host;
    } catch {
      return true;
    }
  }

  async function handleSso(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const current = personOf(req);
    if (url.pathname === '/_sso/login' && (req.method === 'GET' || req.method === 'HEAD')) {
      loginForm(res, safeNext(url.searchParams.get('next')), current?.person ?? null);
      return;
    }
    if (url.pathname === '/_sso/login' && req.method === 'POST') {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') {
        sendPage(res, 415, 'Unsupported', '<h1>Unsupported form</h1><p>Post the form as <code>application/x-www-form-urlencoded</code>.</p>');
        req.resume();
        return;
      }
      if (crossSite(req)) {
        sendPage(res, 403, 'Refused', '<h1>Sign-in refused</h1><p>The form was posted from another site.</p>');
        req.resume();
        return;
      }
      const form = await readForm(req);
      if (form === null) {
        sendPage(res, 413, 'Too large', '<h1>Form too large</h1>');
        return;
      }
      const email = (form.get('email') ?? '').trim();
      const groupsText = form.get('groups') ?? '';
      const next = safeNext(form.get('next'));
      const groups = groupsText
        .split(',')
        .map((group) => group.trim())
        .filter((group) => group !== '');
      // Control characters cannot travel in a header at all; everything else is
      // passed on as typed, so the plugin's own checks can be tried out.
      const problem =
        email === ''
          ? 'Type an e-mail address.'
          : /[\u0000-\u001f\u007f]/.test(email + groups.join(','))
            ? 'Control characters cannot be sent in a header.'
            : email.length > 512 || groups.join(',').length > 4096
              ? 'That is too long.'
              : null;
      if (problem) {
        loginForm(res, next, current?.person ?? null, problem, { email, groups: groupsText }, 400);
        return;
      }
      if (current) sessions.delete(current.id);
      if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, { email, groups });
      log(`signed in as ${email}${groups.length ? ` (groups: ${groups.join(', ')})` : ''}`);
      res.writeHead(302, {
        Location: next,
        'Set-Cookie': `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`,
        'Cache-Control': 'no-store',
        'Content-Length': '0',
      });
      res.end();
      return;
    }
    if (url.pathname === '/_sso/logout' && (req.method === 'GET' || req.method === 'HEAD')) {
      if (current) {
        sessions.delete(current.id);
        log(`signed out ${current.person.email}`);
      }
      sendPage(
        res,
        200,
        'Signed out',
        `<h1>You are signed out of the SSO</h1>
<p>${current ? `<strong>${escapeHtml(current.person.email)}</strong> is no longer signed in to the simulated company portal.` : 'No one was signed in.'}
Strapi's own session, if any, lives on until you log out of Strapi or it expires.</p>
<a class="button" href="/_sso/login">Sign in again</a>`,
        { 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` },
      );
      return;
    }
    sendPage(res, 404, 'Not found', '<h1>Not found</h1><p>The simulator has <a href="/_sso/login">/_sso/login</a> and <a href="/_sso/logout">/_sso/logout</a>.</p>');
    req.resume();
  }

  /** The request headers as sent upstream: client copies of protected headers removed, ours added. */
  function upstreamHeaders(req: IncomingMessage, person: Person | null): string[] {
    const raw = req.rawHeaders;
    const connectionTokens = new Set<string>();
    for (let i = 0; i < raw.length; i += 2) {
      if (fold(raw[i]) === 'connection') raw[i + 1].split(',').forEach((token) => connectionTokens.add(fold(token.trim())));
    }
    const out: string[] = [];
    let chunked = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      const folded = fold(name);
      if (folded === 'transfer-encoding') chunked = true;
      if (removedNames.has(folded) || connectionTokens.has(folded)) continue;
      if (folded === 'cookie') {
        const kept = cookiePairs(raw[i + 1]).filter(([cookie]) => cookie !== SESSION_COOKIE);
        if (kept.length > 0) out.push(name, kept.map(([cookie, value]) => `${cookie}=${value}`).join('; '));
        continue;
      }
      out.push(name, raw[i + 1]);
    }
    if (chunked && req.headers['content-length'] === undefined) out.push('Transfer-Encoding', 'chunked');
    // HTTP/1.0 clients may omit Host; Node adds none when headers are given as a list.
    if (req.headers.host === undefined) out.push('Host', upstream.host);

    const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
    out.push('X-Forwarded-For', peer);
    out.push('X-Forwarded-Proto', (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
    if (typeof req.headers.host === 'string') out.push('X-Forwarded-Host', req.headers.host);

    if (person) {
      out.push(identityHeader, headerValue(person.email));
      if (person.groups.length > 0) out.push(groupsHeader, headerValue(person.groups.join(',')));
      if (secret) out.push(secret.header, secret.value);
    }
    return out;
  }

  function badGateway(req: IncomingMessage, res: ServerResponse, error: Error): void {
    log(`upstream error for ${req.method} ${req.url}: ${error.message}`);
    if (res.headersSent) {
      res.destroy(error);
      return;
    }
    sendPage(
      res,
      502,
      'Bad gateway',
      `<h1>Strapi is not answering</h1><p>The SSO simulator could not reach <code>${escapeHtml(upstream.origin)}</code>
(${escapeHtml((error as NodeJS.ErrnoException).code ?? error.message)}). Is Strapi still starting, or has it stopped?</p>
<a class="button" href="${escapeHtml(req.url ?? '/admin')}">Try again</a>`,
    );
  }

  function forward(req: IncomingMessage, res: ServerResponse, person: Person | null): void {
    const upstreamReq = http.request({
      protocol: 'http:',
      hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
      port: upstream.port || 80,
      method: req.method,
      path: `${upstreamBase}${req.url}`,
      headers: upstreamHeaders(req, person) as unknown as http.OutgoingHttpHeaders,
      agent,
    });
    inFlight.add(upstreamReq);
    upstreamReq.on('close', () => inFlight.delete(upstreamReq));
    upstreamReq.on('response', (upstreamRes) => {
      const headers: string[] = [];
      for (let i = 0; i < upstreamRes.rawHeaders.length; i += 2) {
        if (!RESPONSE_HOP_BY_HOP.has(upstreamRes.rawHeaders[i].toLowerCase())) {
          headers.push(upstreamRes.rawHeaders[i], upstreamRes.rawHeaders[i + 1]);
        }
      }
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, headers as unknown as http.OutgoingHttpHeaders);
      upstreamRes.pipe(res);
      upstreamRes.on('error', (error) => res.destroy(error));
    });
    upstreamReq.on('error', (error) => badGateway(req, res, error));
    // The client went away before the answer was complete: stop talking to Strapi too.
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  }

  const server = http.createServer((req, res) => {
    const target = req.url ?? '';
    if (!target.startsWith('/')) {
      // Absolute-form ("GET http://elsewhere/") or "*": this is not a forward proxy.
      sendPage(res, 400, 'Bad request', '<h1>Bad request</h1>');
      req.resume();
      return;
    }
    let url: URL;
    try {
      url = new URL(target, 'http://sso-simulator.invalid');
    } catch {
      sendPage(res, 400, 'Bad request', '<h1>Bad request</h1>');
      req.resume();
      return;
    }
    if (url.pathname === '/_sso' || url.pathname.startsWith(SSO_PREFIX)) {
      handleSso(req, res, url).catch((error: Error) => {
        log(`simulator error: ${error.stack ?? error}`);
        if (!res.headersSent) sendPage(res, 500, 'Error', '<h1>Simulator error</h1>');
        else res.destroy();
      });
      return;
    }
    const session = personOf(req);
    if (!session && isProtectedNavigation(req, url.pathname)) {
      res.writeHead(302, {
        Location: `/_sso/login?next=${encodeURIComponent(safeNext(`${url.pathname}${url.search}`))}`,
        'Cache-Control': 'no-store',
        'Content-Length': '0',
      });
      res.end();
      req.resume();
      return;
    }
    forward(req, res, session?.person ?? null);
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;

  return {
    url: `http://${host}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const request of inFlight) request.destroy();
        server.closeAllConnections();
        agent.destroy();
        sessions.clear();
      });
      return closing;
    },
  };
}
