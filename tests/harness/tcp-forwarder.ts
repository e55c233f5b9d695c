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
 *   await fwd.close();
 */
import net from 'node:net';

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
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
}

export async function startTcpForwarder(target: { host: string; port: number }): Promise<TcpForwarder> {
  const pairs = new Set<Pair>();
  let severed: SeverMode | null = null;
  let accepted = 0;

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
    }
    pair.client.pipe(pair.upstream);
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
    const pair: Pair = { client, upstream: null };
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
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      if (!pair.client.destroyed) pair.client.resetAndDestroy();
      pair.upstream?.destroy();
    }
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
    async close() {
      severed = 'reset';
      resetAll();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
