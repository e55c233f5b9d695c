/**
 * A tiny TCP forwarder 127.0.0.1:<free port> → target, to put between Strapi
 * and the shared database server so a test can cut the connection (and give
 * it back) without stopping the server other tests use.
 *
 *   const fwd = await startTcpForwarder({ host: '127.0.0.1', port: 5432 });
 *   env: { DATABASE_HOST: fwd.host, DATABASE_PORT: String(fwd.port) }
 *   fwd.sever();            // every open connection is reset, new ones are reset on accept
 *   fwd.sever('blackhole'); // or: nothing gets through and nothing is closed (a silent partition)
 *   fwd.restore();          // traffic flows again (held connections resume)
 *   const fault = fwd.failQuery(/from "admin_roles"/i); // resets the one connection that sends such a query
 *   await fault.hit;        // resolves with the matching text once it happened
 *   await fwd.close();
 */
import net from 'node:net';
import { Transform } from 'node:stream';

/** A fault armed with failQuery(). */
export interface QueryFault {
  /** Resolves with the query text (as sent) once a matching query was cut. */
  readonly hit: Promise<string>;
  /** How many connections this fault has reset so far. */
  hits(): number;
  /** Disarms it (a fault disarms itself after `times` hits). */
  cancel(): void;
}

export type SeverMode = 'reset' | 'blackhole';

export interface TcpForwarder {
  readonly host: string;
  readonly port: number;
  /** null while traffic flows. */
  readonly severed: SeverMode | null;
  /** Connections currently open (forwarded or held). */
  openConnections(): number;
  /** Connections accepted since start (forwarded, held or reset). */
  acceptedConnections(): number;
  /**
   * 'reset' (default): destroys every open connection (both sides, with a TCP
   * reset, like a crashed server or a broken path) and resets new ones.
   * 'blackhole': keeps every socket open but moves no byte in either
   * direction, and holds new connections without answering (a firewall that
   * drops packets, a network partition).
   */
  sever(mode?: SeverMode): void;
  restore(): void;
  /**
   * Injects a failure into one query: the next connection whose client sends
   * bytes matching `pattern` (decoded as latin1: the SQL text is plain in the
   * PostgreSQL and MySQL protocols) is reset, both sides, before those bytes
   * reach the server — the server rolls back whatever that connection had
   * open. Every other connection keeps working. Up to `times` connections (default 1).
   */
  failQuery(pattern: RegExp, times?: number): QueryFault;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
  /** client → inspector → upstream: where failQuery() looks at the bytes. */
  inspector: Transform | null;
}

interface Armed {
  pattern: RegExp;
  left: number;
  count: number;
  resolve(text: string): void;
}

export async function startTcpForwarder(target: { host: string; port: number }): Promise<TcpForwarder> {
  const pairs = new Set<Pair>();
  let severed: SeverMode | null = null;
  let accepted = 0;
  const faults = new Set<Armed>();

  const reset = (pair: Pair) => {
    pairs.delete(pair);
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    pair.upstream?.destroy();
  };

  /** The fault this chunk triggers, if any (consumes one of its hits). */
  const triggered = (chunk: Buffer): [Armed, string] | null => {
    if (faults.size === 0) return null;
    const text = chunk.toString('latin1');
    for (const fault of faults) {
      fault.pattern.lastIndex = 0;
      if (!fault.pattern.test(text)) continue;
      fault.left -= 1;
      fault.count += 1;
      if (fault.left <= 0) faults.delete(fault);
      return [fault, text.replace(/[^\x20-\x7e]+/g, ' ').trim()];
    }
    return null;
  };

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  /** Connects a held or new client to the target and lets bytes flow both ways. */
  const flow = (pair: Pair) => {
    if (!pair.upstream) {
      const upstream = net.connect(target.port, target.host);
      pair.upstream = upstream;
      upstream.on('error', () => drop(pair)).on('close', () => drop(pair));
      const inspector = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          const fault = triggered(chunk);
          if (!fault) return next(null, chunk);
          reset(pair); // the matching bytes never reach the server
          fault[0].resolve(fault[1]);
          next();
        },
      });
      inspector.on('error', () => drop(pair));
      pair.inspector = inspector;
      inspector.pipe(upstream);
    }
    pair.client.pipe(pair.inspector!);
    pair.upstream.pipe(pair.client);
  };

  const hold = (pair: Pair) => {
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.client.pause();
    pair.upstream?.pause();
  };

  const server = net.createServer((client) => {
    accepted += 1;
    if (severed === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: null, inspector: null };
    pairs.add(pair);
    client.on('error', () => drop(pair)).on('close', () => drop(pair));
    if (severed === 'blackhole') client.pause();
    else flow(pair);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const address = server.address() as net.AddressInfo;

  const resetAll = () => {
    for (const pair of [...pairs]) reset(pair);
  };

  return {
    host: '127.0.0.1',
    port: address.port,
    get severed() {
      return severed;
    },
    openConnections: () => pairs.size,
    acceptedConnections: () => accepted,
    sever(mode = 'reset') {
      severed = mode;
      if (mode === 'reset') resetAll();
      else for (const pair of pairs) hold(pair);
    },
    restore() {
      const was = severed;
      severed = null;
      if (was === 'blackhole') for (const pair of pairs) flow(pair);
    },
    failQuery(pattern, times = 1) {
      let resolve!: (text: string) => void;
      const hit = new Promise<string>((done) => (resolve = done));
      const armed: Armed = { pattern, left: times, count: 0, resolve };
      faults.add(armed);
      return { hit, hits: () => armed.count, cancel: () => faults.delete(armed) };
    },
    async close() {
      severed = 'reset';
      resetAll();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
