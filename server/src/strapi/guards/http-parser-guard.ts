import http from 'node:http';
import net from 'node:net';
import type { Core } from '@strapi/strapi';

/**
 * Lenient HTTP parsing lets a client smuggle a second request, headers
 * included, past the proxy (T7). Refuse to run under it.
 *
 * Node turns leniency on from many spellings (`--insecure-http-parser`,
 * `--insecure-http-parser=true`, `--insecure_http_parser`, each on the command
 * line or in NODE_OPTIONS) and per server (`serverOptions.insecureHTTPParser`),
 * so the guard tests the behaviour instead of the spelling: a throwaway server
 * built with Strapi's own `server.http.serverOptions` receives one request
 * whose header value holds a control character. A strict parser refuses it
 * (400); a lenient one hands it to the request handler.
 */
export async function assertStrictHttpParser(strapi: Core.Strapi): Promise<void> {
  const serverOptions = strapi.config.get('server.http.serverOptions', {}) as http.ServerOptions;
  let verdict: ParserVerdict;
  try {
    verdict = await probeHttpParser(serverOptions);
  } catch (error) {
    throw new Error(
      `remote-auth could not check that Node's HTTP parser is strict (${(error as Error).message}), so it refuses to start. ` +
        'The check listens on 127.0.0.1 on a free port for a moment; make sure the process may do that.',
    );
  }
  if (verdict === 'lenient') throw new Error(lenientParserMessage(strapi));
}

export type ParserVerdict = 'strict' | 'lenient';

/** Header value with a control character (SOH): every strict parser refuses it. */
const PROBE_REQUEST = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Remote-Auth-Probe: a\x01b\r\nConnection: close\r\n\r\n';

/**
 * Whether a server made by `http.createServer(serverOptions)` in this process
 * accepts a malformed header. Bounded by `timeoutMs`; the server and both
 * sockets are closed before the promise settles either way.
 */
export function probeHttpParser(serverOptions: http.ServerOptions = {}, timeoutMs = 10_000): Promise<ParserVerdict> {
  return new Promise((resolve, reject) => {
    let client: net.Socket | undefined;
    const server = http.createServer(serverOptions, (_request, response) => {
      response.writeHead(204).end();
      settle(() => resolve('lenient'));
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      socket.destroy();
      // HPE_*: llhttp refused the request, i.e. the parser is strict. Anything else proves nothing.
      if (error.code?.startsWith('HPE_')) settle(() => resolve('strict'));
      else settle(() => reject(new Error(`the test request failed: ${error.message}`)));
    });
    server.on('error', (error) => settle(() => reject(error)));
    const timer = setTimeout(() => settle(() => reject(new Error(`no answer to the test request within ${timeoutMs} ms`))), timeoutMs);

    let settled = false;
    function settle(outcome: () => void): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client?.destroy();
      server.closeAllConnections();
      server.close(outcome);
    }

    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      client = net.connect({ host: '127.0.0.1', port }, () => client?.write(PROBE_REQUEST));
      // The verdict comes from the server's side; the client only sends.
      client.on('error', () => {});
    });
  });
}

const FLAG = /--insecure[-_]http[-_]parser(?:=\S*)?/g;

/** Names every setting in this process that turns leniency on, and says to remove them. */
function lenientParserMessage(strapi: Core.Strapi): string {
  const found = [
    ...process.execArgv.filter((arg) => arg.match(FLAG)).map((arg) => `"${arg}" on the node command line`),
    ...(process.env.NODE_OPTIONS?.match(FLAG) ?? []).map((arg) => `"${arg}" in NODE_OPTIONS`),
    ...(strapi.config.get('server.http.serverOptions.insecureHTTPParser')
      ? ['server.http.serverOptions.insecureHTTPParser in config/server']
      : []),
  ];
  return (
    "remote-auth refuses to start: Node's HTTP parser in this process is lenient (a test request with a control " +
    'character in a header was accepted instead of refused with 400), which lets a client smuggle requests and ' +
    `headers past the proxy. ${found.length > 0 ? `Found: ${found.join(', ')}.` : 'None of the usual settings was found; check how node is started.'} ` +
    'Remove --insecure-http-parser in every spelling (--insecure-http-parser, --insecure-http-parser=true, ' +
    '--insecure_http_parser) from the node command line and from NODE_OPTIONS, and remove ' +
    'server.http.serverOptions.insecureHTTPParser from config/server.'
  );
}
