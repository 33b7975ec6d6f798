import { quoted } from './echoed-text.js';
import { DOCKER_HUB, DOCKER_HUB_API_HOST, DOCKER_HUB_INDEX_HOST } from './reference.js';

/** A registry key (catalog `registries` key, auth file entry or credential helper), normalised for matching. */
export interface RegistryKey {
  /** The key as written, for messages. */
  text: string;
  /** Lower-case host; Docker Hub's other names become `docker.io`. */
  host: string;
  /** The port when the key names one. */
  port?: number;
  /** Repository path prefix, by component; empty for the whole registry. */
  path: string[];
}

/** What a key is matched against: the registry endpoint and the repository. */
export interface RegistryTarget {
  host: string;
  /** The port as written in the reference, if any. */
  explicitPort?: number;
  port: number;
  defaultPort: number;
  repository: string[];
}

/** How a registry is reached; decides which port a key or reference without one stands for. */
export type RegistryScheme = 'https' | 'http';

const DEFAULT_PORTS: Record<RegistryScheme, number> = { https: 443, http: 80 };
const DOCKER_HUB_NAMES = new Set([DOCKER_HUB, DOCKER_HUB_INDEX_HOST, DOCKER_HUB_API_HOST]);
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const HOST_PORT = /^(\[[0-9a-f:.]+\]|[^\s/:[\]]+)(?::([0-9]{1,5}))?$/;
const CATALOG_HOST_PORT =
  /^(?<host>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::(?<port>[0-9]{1,5}))?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** What is wrong with a catalog key `host[:port][/path]` (no scheme, valid path components); undefined when nothing. */
export function registryKeyProblem(text: string): string | undefined {
  if (URL_SCHEME.test(text)) return 'a registry key has no scheme: write host[:port][/path]';
  if (text.endsWith('/')) return 'a registry key does not end with "/"';
  const [hostPort, path] = splitAtSlash(text);
  const match = CATALOG_HOST_PORT.exec(hostPort);
  if (!match) return `invalid registry host ${quoted(hostPort)}`;
  const port = match.groups?.port;
  if (port !== undefined && !isPort(Number(port))) return `invalid port ${port}`;
  const invalid = path?.split('/').find((component) => !PATH_COMPONENT.test(component));
  return invalid === undefined ? undefined : `invalid repository path component ${quoted(invalid)}`;
}

/** Catalog keys parsed so far: every tag of a catalog is matched against all its keys, more than once. */
const catalogKeys = new Map<string, RegistryKey | undefined>();

/** Parses a catalog key `host[:port][/path/prefix]`; undefined when registryKeyProblem finds one. */
export function parseCatalogRegistryKey(text: string): RegistryKey | undefined {
  if (!catalogKeys.has(text)) {
    catalogKeys.set(text, registryKeyProblem(text) === undefined ? parseRegistryKey(text) : undefined);
  }
  return catalogKeys.get(text);
}

/**
 * Parses an auth file key: `host[:port][/path/prefix]`, or a URL such as `https://index.docker.io/v1/` whose scheme
 * and path are ignored, as docker and podman do. Undefined when the key names no host.
 */
export function parseRegistryKey(text: string): RegistryKey | undefined {
  const trimmed = text.trim();
  const scheme = URL_SCHEME.exec(trimmed);
  const [hostText, pathText] = splitAtSlash(scheme ? trimmed.slice(scheme[0].length) : trimmed);
  const hostPort = parseHostPort(hostText);
  if (!hostPort) return undefined;
  const key: RegistryKey = { text, host: hostPort.host, path: scheme ? [] : splitPath(pathText ?? '') };
  if (hostPort.port !== undefined) key.port = hostPort.port;
  return key;
}

/** A registry `host[:port]` as in a reference, reached over `scheme`, and a repository path. */
export function registryTarget(
  hostPort: string,
  repository: string,
  scheme: RegistryScheme,
): RegistryTarget | undefined {
  const parsed = parseHostPort(hostPort);
  if (!parsed) return undefined;
  const defaultPort = DEFAULT_PORTS[scheme];
  const target: RegistryTarget = {
    host: parsed.host,
    port: parsed.port ?? defaultPort,
    defaultPort,
    repository: splitPath(repository),
  };
  if (parsed.port !== undefined) target.explicitPort = parsed.port;
  return target;
}

export function isDockerHub(target: RegistryTarget): boolean {
  return target.host === DOCKER_HUB;
}

/** Whether the key names the target's host and port, a key without a port standing for the scheme's default one. */
export function namesEndpoint(key: RegistryKey, target: RegistryTarget): boolean {
  return key.host === target.host && (key.port ?? target.defaultPort) === target.port;
}

/**
 * How well a key matches: undefined when it does not (another host or port, or a path that is not a prefix of the
 * repository by whole components); otherwise higher is more specific: a longer path prefix, then the port written
 * the same way as in the reference.
 */
export function matchScore(key: RegistryKey, target: RegistryTarget): number | undefined {
  if (!namesEndpoint(key, target) || key.path.length > target.repository.length) return undefined;
  if (key.path.some((component, i) => component !== target.repository[i])) return undefined;
  const samePortSpelling = key.port === target.explicitPort ? 1 : 0;
  return key.path.length * 2 + samePortSpelling;
}

/** The candidate whose key matches best; the first one written wins a tie. */
export function bestMatch<T>(
  candidates: readonly T[],
  keyOf: (c: T) => RegistryKey | undefined,
  target: RegistryTarget,
): T | undefined {
  return rankMatches(candidates, keyOf, target)[0];
}

/** The candidates whose keys match, best first; ties keep their written order. */
export function rankMatches<T>(
  candidates: readonly T[],
  keyOf: (c: T) => RegistryKey | undefined,
  target: RegistryTarget,
): T[] {
  const scored: { candidate: T; score: number }[] = [];
  for (const candidate of candidates) {
    const key = keyOf(candidate);
    const score = key && matchScore(key, target);
    if (score !== undefined) scored.push({ candidate, score });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.candidate);
}

/** `host[:port][/path]` of a parsed key, the port as written: two keys with the same spelling name one registry. */
export function keySpelling(key: RegistryKey): string {
  const port = key.port === undefined ? '' : `:${key.port}`;
  return [`${key.host}${port}`, ...key.path].join('/');
}

function parseHostPort(text: string): { host: string; port?: number } | undefined {
  const match = HOST_PORT.exec(text.toLowerCase());
  if (!match?.[1]) return undefined;
  const host = DOCKER_HUB_NAMES.has(match[1]) ? DOCKER_HUB : match[1];
  if (match[2] === undefined) return { host };
  const port = Number(match[2]);
  return isPort(port) ? { host, port } : undefined;
}

function isPort(port: number): boolean {
  return port >= 1 && port <= 65535;
}

function splitAtSlash(text: string): [string, string | undefined] {
  const slash = text.indexOf('/');
  return slash < 0 ? [text, undefined] : [text.slice(0, slash), text.slice(slash + 1)];
}

function splitPath(path: string): string[] {
  return path.split('/').filter((component) => component.length > 0);
}
