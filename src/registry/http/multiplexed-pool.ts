import type { TLSSocket } from 'node:tls';
import type { buildConnector, Client, Dispatcher, Pool } from 'undici';
import * as undici from './undici-parts.js';

/** What a connection speaks: HTTP/2 when the server chose it in the TLS handshake (ALPN), HTTP/1.1 otherwise. */
export type WireProtocol = 'h2' | 'http/1.1';

export interface Multiplexing {
  /** Requests one HTTP/2 connection carries at once (its streams); an HTTP/1.1 connection carries one. */
  streams: number;
  /** Told the protocol of each connection once it is up. */
  connected?: (protocol: WireProtocol) => void;
}

/**
 * Makes the connection pool of one origin (an undici Agent or ProxyAgent `factory`). undici runs at most `pipelining`
 * requests at once on a connection, HTTP/2 or not: a connection whose handshake chose h2 is given `streams`, any other
 * keeps 1, so HTTP/1.1 is never pipelined.
 */
export function multiplexedPoolFactory(multiplexing: Multiplexing): (origin: string | URL, options: object) => Pool {
  return (origin, options) => multiplexedPool(origin, options as Pool.Options, multiplexing);
}

function multiplexedPool(origin: string | URL, options: Pool.Options, multiplexing: Multiplexing): Pool {
  const connect = options.connect;
  if (typeof connect !== 'function') throw new TypeError('a multiplexed pool needs a connector function');
  // undici announces a connection ('connect') from within the connector's callback, before it sends anything on it:
  // the protocol noted here is that connection's.
  let negotiated: WireProtocol | undefined;
  const noting: buildConnector.connector = (target, callback) =>
    connect(target, (error, socket) => {
      negotiated = (socket as TLSSocket | null)?.alpnProtocol === 'h2' ? 'h2' : 'http/1.1';
      try {
        (callback as (...args: unknown[]) => void)(error, socket);
      } finally {
        negotiated = undefined;
      }
    });
  const pool = new undici.Pool(origin, { ...options, connect: noting });
  pool.on('connect', (_origin: URL, targets: readonly Dispatcher[]) => {
    const protocol = negotiated ?? 'http/1.1';
    (targets.at(-1) as Client).pipelining = protocol === 'h2' ? multiplexing.streams : 1;
    multiplexing.connected?.(protocol);
  });
  return pool;
}
