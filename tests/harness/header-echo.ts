import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestResponse } from './http';

export interface HeaderEcho {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * An upstream that answers every request with the header list it received
 * (`{ rawHeaders }`, exact spellings and order): put behind a proxy config to
 * see exactly what the proxy forwards.
 */
export async function startHeaderEcho(): Promise<HeaderEcho> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ rawHeaders: req.rawHeaders }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Header name (lower-case) → every value the echo received under it, in order. */
export function echoedHeaders(res: TestResponse): Record<string, string[]> {
  const list: string[] = res.json().rawHeaders;
  const seen: Record<string, string[]> = {};
  for (let i = 0; i < list.length; i += 2) (seen[list[i].toLowerCase()] ??= []).push(list[i + 1]);
  return seen;
}
