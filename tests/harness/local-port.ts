import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import net from 'node:net';

/** A free TCP port on 127.0.0.1, found by letting the kernel pick one for a throwaway server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no TCP address'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Does something accept TCP connections on 127.0.0.1:`port`? */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Does a GET / on 127.0.0.1:`port` get an answer that `expected` accepts (within 2 s)? */
export function answersHttp(port: number, expected: (res: IncomingMessage) => boolean, headers: OutgoingHttpHeaders = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2_000, headers }, (res) => {
      res.resume();
      resolve(expected(res));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
