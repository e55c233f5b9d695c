import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload, type KeyLike } from 'jose';
import { cookieValue } from './auth-gateway';

/**
 * A small identity-aware gateway on 127.0.0.1 that behaves like Pomerium in
 * forward-auth mode: it holds the session (cookie → person), and for every
 * request nginx asks it about (`auth_request`), answers 200 with a **fresh**
 * ES256 JWT in `X-Pomerium-Jwt-Assertion` (iss = aud = the route domain, as
 * Pomerium's default `jwt_issuer_format: hostOnly`), or 401 without a
 * session. It publishes its public key where Pomerium does:
 * `/.well-known/pomerium/jwks.json`.
 *
 * It also answers `X-Auth-Request-Email` with `decoyEmail` when given: an
 * unsigned header the plugin must never believe while an assertion is set.
 */
export interface GatewayPerson {
  readonly email: string;
  readonly groups?: readonly string[];
  readonly givenName?: string;
  readonly familyName?: string;
}

export interface AssertionGatewayOptions {
  /** The route's host: iss and aud of every assertion (default `strapi.gateway.test`). */
  readonly routeDomain?: string;
  /** Unsigned identity the gateway also sends (as oauth2-proxy's X-Auth-Request-Email). */
  readonly decoyEmail?: string;
  /** Seconds an assertion lives (Pomerium: a few minutes; default 300). */
  readonly lifetimeSeconds?: number;
}

export interface AssertionGateway {
  readonly port: number;
  readonly origin: string;
  readonly routeDomain: string;
  /** Where the public keys are: `http://127.0.0.1:<port>/.well-known/pomerium/jwks.json`. */
  readonly jwksUrl: string;
  readonly cookieName: string;
  readonly header: 'X-Pomerium-Jwt-Assertion';
  /** `Cookie` header value (name=value) of a new gateway session for `person`. */
  sessionFor(person: GatewayPerson): string;
  /** The gateway now says the session belongs to someone else (a person switch at the IdP). */
  switchPerson(cookie: string, person: GatewayPerson): void;
  /** Signs out the session: later requests with it get 401. */
  endSession(cookie: string): void;
  /** A token as this gateway would sign it now, with `overrides` applied; `withKey: 'stranger'` signs with a key nobody published. */
  assertionFor(person: GatewayPerson, overrides?: JWTPayload, withKey?: 'own' | 'stranger'): Promise<string>;
  /** How many assertions the gateway signed for nginx. */
  readonly signed: number;
  close(): Promise<void>;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyLike;
  readonly publicJwk: Record<string, unknown>;
}

async function signingKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = randomBytes(8).toString('hex');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

export async function startAssertionGateway(options: AssertionGatewayOptions = {}): Promise<AssertionGateway> {
  const routeDomain = options.routeDomain ?? 'strapi.gateway.test';
  const lifetime = options.lifetimeSeconds ?? 300;
  const cookieName = '_pomerium';
  const own = await signingKey();
  // Same kid as ours, another key: a forger who read the JWKS.
  const stranger = { ...(await signingKey()), kid: own.kid };
  const sessions = new Map<string, GatewayPerson>();
  let signed = 0;

  const sign = (person: GatewayPerson, overrides: JWTPayload = {}, key: SigningKey = own): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      iss: routeDomain,
      aud: routeDomain,
      sub: `user-${Buffer.from(person.email).toString('hex').slice(0, 16)}`,
      email: person.email,
      ...(person.groups ? { groups: [...person.groups] } : {}),
      ...(person.givenName ? { given_name: person.givenName } : {}),
      ...(person.familyName ? { family_name: person.familyName } : {}),
      iat: now,
      exp: now + lifetime,
      jti: randomUUID(),
      ...overrides,
    };
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path === '/.well-known/pomerium/jwks.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=60' }).end(JSON.stringify({ keys: [own.publicJwk] }));
      return;
    }
    if (path !== '/verify') {
      res.writeHead(404).end();
      return;
    }
    const person = sessions.get(cookieValue(req.headers.cookie, cookieName) ?? '');
    if (!person) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('gateway: not signed in');
      return;
    }
    sign(person).then(
      (token) => {
        signed += 1;
        const headers: Record<string, string> = { 'X-Pomerium-Jwt-Assertion': token };
        if (options.decoyEmail) headers['X-Auth-Request-Email'] = options.decoyEmail;
        res.writeHead(200, headers).end();
      },
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const tokenOf = (cookie: string): string => cookieValue(cookie, cookieName) ?? cookie;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    routeDomain,
    jwksUrl: `http://127.0.0.1:${port}/.well-known/pomerium/jwks.json`,
    cookieName,
    header: 'X-Pomerium-Jwt-Assertion',
    sessionFor(person) {
      const token = randomBytes(16).toString('hex');
      sessions.set(token, person);
      return `${cookieName}=${token}`;
    },
    switchPerson(cookie, person) {
      if (!sessions.has(tokenOf(cookie))) throw new Error('assertion gateway: no such session');
      sessions.set(tokenOf(cookie), person);
    },
    endSession(cookie) {
      sessions.delete(tokenOf(cookie));
    },
    assertionFor: (person, overrides, withKey = 'own') => sign(person, overrides, withKey === 'own' ? own : stranger),
    get signed() {
      return signed;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
