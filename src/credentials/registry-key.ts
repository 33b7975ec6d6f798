import type { CredentialLookup } from './types.js';

/** A key of an auth file entry, credential helper or catalog registry, normalised for matching. */
export interface RegistryKey {
  /** The key as written, for messages. */
  text: string;
  /** Lower-case host; Docker Hub's aliases become `docker.io`. */
  host: string;
  /** The port when the key names one. */
  port?: number;
  /** Repository path prefix, by component; empty for the whole registry. */
  path: string[];
}

/** What a lookup is matched against: the registry endpoint and the repository. */
export interface RegistryTarget {
  host: string;
  /** The port as written in the reference, if any. */
  explicitPort?: number;
  port: number;
  defaultPort: number;
  repository: string[];
}

export const DOCKER_HUB_HOST = 'docker.io';
/** The key docker writes for Docker Hub, and the server URL its credential stores use. */
export const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB_HOST, 'index.docker.io', 'registry-1.docker.io']);
const DEFAULT_PORTS = { https: 443, http: 80 } as const;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const HOST_PORT = /^(\[[0-9a-f:.]+\]|[^\s/:[\]]+)(?::([0-9]{1,5}))?$/;

/**
 * Parses `host[:port][/path/prefix]` or a URL such as `https://index.docker.io/v1/` (whose scheme and path are
 * ignored, as docker and podman do). Undefined when the key names no host.
 */
export function parseRegistryKey(text: string): RegistryKey | undefined {
  let rest = text.trim();
  const scheme = URL_SCHEME.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const slash = rest.indexOf('/');
  const hostPort = parseHostPort(slash < 0 ? rest : rest.slice(0, slash));
  if (!hostPort) return undefined;
  const path = scheme || slash < 0 ? [] : splitPath(rest.slice(slash + 1));
  const key: RegistryKey = { text, host: hostPort.host, path };
  if (hostPort.port !== undefined) key.port = hostPort.port;
  return key;
}

export function targetOf(lookup: CredentialLookup): RegistryTarget | undefined {
  const hostPort = parseHostPort(lookup.host);
  if (!hostPort) return undefined;
  const defaultPort = DEFAULT_PORTS[lookup.scheme];
  const target: RegistryTarget = {
    host: hostPort.host,
    port: hostPort.port ?? defaultPort,
    defaultPort,
    repository: splitPath(lookup.repository),
  };
  if (hostPort.port !== undefined) target.explicitPort = hostPort.port;
  return target;
}

export function isDockerHub(target: RegistryTarget): boolean {
  return target.host === DOCKER_HUB_HOST;
}

/**
 * How well a key matches: undefined when it does not; otherwise higher is more specific (a longer path prefix, then
 * the port written the same way as in the reference).
 */
export function matchScore(key: RegistryKey, target: RegistryTarget): number | undefined {
  if (key.host !== target.host) return undefined;
  const keyPort = key.port ?? target.defaultPort;
  if (keyPort !== target.port) return undefined;
  if (key.path.length > target.repository.length) return undefined;
  if (key.path.some((component, i) => component !== target.repository[i])) return undefined;
  const samePortSpelling = key.port === target.explicitPort ? 1 : 0;
  return key.path.length * 2 + samePortSpelling;
}

/** The candidate whose key matches best; the first one written wins a tie. */
export function bestMatch<T>(
  candidates: readonly T[],
  keyOf: (c: T) => RegistryKey,
  target: RegistryTarget,
): T | undefined {
  return rankMatches(candidates, keyOf, target)[0];
}

/** The candidates whose keys match, best first; ties keep their written order. */
export function rankMatches<T>(candidates: readonly T[], keyOf: (c: T) => RegistryKey, target: RegistryTarget): T[] {
  const scored: { candidate: T; score: number }[] = [];
  for (const candidate of candidates) {
    const score = matchScore(keyOf(candidate), target);
    if (score !== undefined) scored.push({ candidate, score });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.candidate);
}

function parseHostPort(text: string): { host: string; port?: number } | undefined {
  const match = HOST_PORT.exec(text.toLowerCase());
  if (!match?.[1]) return undefined;
  const host = DOCKER_HUB_ALIASES.has(match[1]) ? DOCKER_HUB_HOST : match[1];
  if (match[2] === undefined) return { host };
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}

function splitPath(path: string): string[] {
  return path.split('/').filter((component) => component.length > 0);
}
