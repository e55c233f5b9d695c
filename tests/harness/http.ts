import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import net from 'node:net';

export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Set-Cookie lines, as sent. */
  readonly setCookies: string[];
  /** name → value of cookies set with a non-empty value. */
  readonly cookies: Record<string, string>;
  readonly body: string;
  json<T = any>(): T;
}

export interface RequestOptions {
  method?: string;
  /** An object, or a flat [name, value, name, value…] list to send duplicates and exact spellings. */
  headers?: OutgoingHttpHeaders | string[];
  body?: unknown;
  /** Source address, e.g. 127.0.0.2 to play a client that is not the proxy. */
  localAddress?: string;
}

export const BROWSER = { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

export function parseSetCookies(lines: string[]): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const line of lines) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value !== '') cookies[name] = value;
  }
  return cookies;
}

/**
 * Node's client sends an array value as repeated lines, and keeps names that
 * differ by "_" apart: [a, 1, a, 2, a_b, 3] → { a: ['1', '2'], a_b: '3' }.
 */
function groupHeaderList(list: string[]): OutgoingHttpHeaders {
  const grouped = new Map<string, { name: string; values: string[] }>();
  for (let i = 0; i < list.length; i += 2) {
    const key = list[i].toLowerCase();
    const entry = grouped.get(key) ?? { name: list[i], values: [] };
    entry.values.push(list[i + 1]);
    grouped.set(key, entry);
  }
  const headers: OutgoingHttpHeaders = {};
  for (const { name, values } of grouped.values()) headers[name] = values.length === 1 ? values[0] : values;
  return headers;
}

export function request(origin: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
  const url = new URL(path, origin);
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  let headers = Array.isArray(options.headers) ? groupHeaderList(options.headers) : (options.headers ?? {});
  if (payload !== undefined && !Array.isArray(headers) && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers = { ...headers, 'Content-Type': 'application/json' };
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? 'GET',
        headers,
        localAddress: options.localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const setCookies = res.headers['set-cookie'] ?? [];
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            setCookies,
            cookies: parseSetCookies(setCookies),
            body,
            json: () => JSON.parse(body),
          });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Sends bytes as they are, for requests Node's client refuses to write (control characters…). */
export function rawRequest(port: number, text: string, localAddress = '127.0.0.1'): Promise<{ status: number; raw: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    let raw = '';
    socket.on('data', (chunk) => (raw += chunk.toString('latin1')));
    socket.on('end', () => resolve({ status: Number(raw.slice(9, 12)) || 0, raw }));
    socket.on('error', reject);
    socket.write(text, 'latin1');
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
  });
}

export const cookieHeader = (cookies: Record<string, string>): string =>
  Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
