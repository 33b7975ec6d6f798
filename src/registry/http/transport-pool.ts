import type { Peer } from '../wording/network.js';
import { proxyFor } from './proxy-env.js';
import type { SpareBatch, SparePlaces } from './spare-connections.js';
import {
  type HttpRequest,
  type HttpResponse,
  type OriginTransport,
  Transport,
  type TransportOptions,
} from './transport.js';

/** The connection settings of one registry, for every origin its requests go to; `env` gives the proxies. */
export type PoolSettings = Omit<TransportOptions, 'peer' | 'proxy'> & { env: NodeJS.ProcessEnv };

/** Makes the transport of one origin: undici's connection pool, unless a test passes another. */
export type TransportFactory = (options: TransportOptions) => OriginTransport;

/** A transport per origin (the registry, its token server, redirect targets), made on first use and kept. */
export class TransportPool {
  private readonly transports = new Map<string, OriginTransport>();

  constructor(
    private readonly settings: PoolSettings,
    private readonly create: TransportFactory = (options) => new Transport(options),
  ) {}

  readonly send = (req: HttpRequest, peer: Peer): Promise<HttpResponse> => this.transportFor(req.url, peer).send(req);

  /**
   * Sets up connections to the origin of `url`, if it has been reached, until `connections` are up or on their way,
   * within `places`; what it set up, if anything, can be closed while unclaimed.
   */
  warm(url: URL, connections: number, places?: SparePlaces): SpareBatch | undefined {
    return this.transports.get(url.origin)?.warm?.(url, connections, places);
  }

  async close(): Promise<void> {
    await Promise.all([...this.transports.values()].map((t) => t.close()));
  }

  private transportFor(url: URL, peer: Peer): OriginTransport {
    let transport = this.transports.get(url.origin);
    if (!transport) {
      transport = this.create(this.optionsFor(url, peer));
      this.transports.set(url.origin, transport);
    }
    return transport;
  }

  private optionsFor(url: URL, peer: Peer): TransportOptions {
    const { env, ...settings } = this.settings;
    const options: TransportOptions = { ...settings, peer };
    const proxy = proxyFor(url, env);
    if (proxy) options.proxy = proxy;
    return options;
  }
}
