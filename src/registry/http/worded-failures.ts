import type { RegistryError } from '../../core/errors.js';
import { networkError, type Peer } from '../wording/network.js';
import { proxyFor, proxyHost } from './proxy-env.js';
import type { Exchange } from './transport.js';

/** Words a failure below HTTP of a request to `url` as a RegistryError (see wording/network.ts). */
export type FailureWording = (error: unknown, url: URL, peer: Peer) => RegistryError;

/** The wording of failures for one registry: the proxy a request went through is named, never its credentials. */
export function failureWording(env: NodeJS.ProcessEnv, insecure: boolean): FailureWording {
  return (error, url, peer) => {
    const proxy = proxyFor(url, env);
    return networkError(error, peer, insecure, proxy && proxyHost(proxy));
  };
}

/** `send`, its failures below HTTP worded. */
export function withWordedFailures(send: Exchange, word: FailureWording): Exchange {
  return async (req, peer) => {
    try {
      return await send(req, peer);
    } catch (error) {
      throw word(error, req.url, peer);
    }
  };
}
