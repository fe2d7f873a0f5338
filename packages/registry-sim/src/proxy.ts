import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a registry that behaves like the load balancers in front of real ones: it closes a
 * connection that has been idle (no byte either way) for `idleCloseMs`, the way an ALB or nginx's
 * keepalive_timeout does, and it can reset a connection on demand to model a flaky network. It counts the
 * bytes clients send, so a benchmark can report what really went over the wire.
 */
export interface TcpProxyOptions {
  /** host:port of the registry behind the proxy. */
  readonly target: string;
  /** Close a connection after this long without traffic; undefined: never. */
  readonly idleCloseMs?: number;
}

export interface TcpProxy {
  /** host:port clients connect to (127.0.0.1:PORT). */
  readonly host: string;
  readonly stats: {
    /** Bytes received from clients (requests, headers included). */
    bytesFromClients: number;
    connections: number;
    /** Connections the proxy closed because they were idle. */
    idleClosed: number;
    /** Connections reset by `resetAfter`. */
    reset: number;
  };
  /**
   * Once clients have sent `bytes` more bytes, resets (TCP RST) the connection that carries the next one: a
   * request cut mid-way, "ECONNRESET" on the client. 0: the next request on any connection.
   */
  resetAfter(bytes: number): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const [targetHost = '127.0.0.1', targetPort = '0'] = options.target.split(':');
  const stats = { bytesFromClients: 0, connections: 0, idleClosed: 0, reset: 0 };
  const open = new Set<Socket>();
  let resetAt: number | undefined;

  const server = createServer((client) => {
    stats.connections++;
    const upstream = createConnection({ host: targetHost, port: Number(targetPort) });
    open.add(client).add(upstream);
    let timer: NodeJS.Timeout | undefined;
    const touch = (): void => {
      if (options.idleCloseMs === undefined) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        stats.idleClosed++;
        // A graceful close (FIN), like a server's keep-alive timeout: the client learns of it only when it
        // reads the socket again.
        client.end();
        upstream.end();
      }, options.idleCloseMs);
    };
    touch();
    client.on('data', (chunk: Buffer) => {
      if (resetAt !== undefined && stats.bytesFromClients + chunk.length > resetAt) {
        resetAt = undefined;
        stats.reset++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      stats.bytesFromClients += chunk.length;
      touch();
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (chunk: Buffer) => {
      touch();
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const done = (): void => {
      if (timer) clearTimeout(timer);
      open.delete(client);
      open.delete(upstream);
    };
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => {
      done();
      upstream.destroy();
    });
    upstream.on('close', () => {
      done();
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    stats,
    resetAfter: (bytes) => {
      resetAt = stats.bytesFromClients + bytes;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
