import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import type { SigningKey } from './assertion-tokens';

/**
 * A key server on 127.0.0.1 standing in for a provider's key URL, serving
 * keys the test generated:
 * - `GET /jwks` — a JWKS (Cloudflare's /cdn-cgi/access/certs, IAP's public_key-jwk, Pomerium's jwks.json);
 * - `GET /pem/<kid>` — one PEM public key per kid (AWS ALB's public-keys.auth.elb.<region>.amazonaws.com/<kid>);
 * - `GET /.well-known/openid-configuration` — OIDC discovery naming `/jwks` as jwks_uri, with `issuer` as set.
 * `mode` switches fault behaviour for every later request: 'down' (connection reset), 'slow' (never
 * answers until the server closes), 'invalid-json', 'huge' (streams tens of MB), 'error' (500).
 * Every request is counted, by path, to prove cool-downs.
 */
export type KeyServerMode = 'ok' | 'down' | 'slow' | 'invalid-json' | 'huge' | 'error' | 'forbidden';

export interface KeyServer {
  readonly origin: string;
  readonly jwksUrl: string;
  /** Base URL for ALB-style PEM keys: append the kid. */
  readonly pemBaseUrl: string;
  /** Issuer whose discovery document this server answers (`origin` unless set). */
  issuer: string;
  mode: KeyServerMode;
  /** Keys currently published. */
  keys: SigningKey[];
  /** Replace the published keys (rotation). */
  publish(...keys: SigningKey[]): void;
  /** Requests seen, all paths. */
  requests(): number;
  /** Requests seen for one path ('/jwks', '/pem/<kid>', '/.well-known/openid-configuration'). */
  requestsTo(path: string): number;
  /** Bytes written by 'huge' responses before the client gave up. */
  hugeBytesSent(): number;
  close(): Promise<void>;
}

const HUGE_TOTAL = 64 * 1024 * 1024;
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 0x20);

export async function startKeyServer(...initial: SigningKey[]): Promise<KeyServer> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const held: ServerResponse[] = [];
  let total = 0;
  let hugeSent = 0;

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    total++;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    switch (state.mode) {
      case 'down':
        req.socket.destroy();
        return;
      case 'slow':
        held.push(res);
        return;
      case 'error':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      case 'forbidden':
        res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
        return;
      case 'invalid-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [ {"kty": "RSA", ');
        return;
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"keys":[');
        let sent = 0;
        const pump = (): void => {
          while (sent < HUGE_TOTAL) {
            sent += HUGE_CHUNK.length;
            hugeSent += HUGE_CHUNK.length;
            if (!res.write(HUGE_CHUNK)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end(']}');
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
        return;
      }
      default:
        break;
    }
    if (path === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys.map((key) => key.publicJwk) }));
      return;
    }
    if (path.startsWith('/pem/')) {
      const kid = decodeURIComponent(path.slice('/pem/'.length));
      const key = state.keys.find((candidate) => candidate.kid === kid);
      if (!key) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(key.publicPem);
      return;
    }
    if (path === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ issuer: state.issuer, jwks_uri: `${origin}/jwks`, id_token_signing_alg_values_supported: ['RS256', 'ES256'] }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const state: KeyServer = {
    origin,
    jwksUrl: `${origin}/jwks`,
    pemBaseUrl: `${origin}/pem/`,
    issuer: origin,
    mode: 'ok',
    keys: [...initial],
    publish(...keys) {
      state.keys = [...keys];
    },
    requests: () => total,
    requestsTo: (path) => counts.get(path) ?? 0,
    hugeBytesSent: () => hugeSent,
    async close() {
      for (const res of held.splice(0)) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}
