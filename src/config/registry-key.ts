import type { Catalog, RegistrySettings } from '../core/catalog.js';
import { DOCKER_HUB } from '../core/reference.js';

/** A `registries` key of the catalog: `host[:port][/path-prefix]`. */
export interface CatalogRegistryKey {
  /** Lower-case `host[:port]`; Docker Hub's other names become `docker.io`. */
  hostPort: string;
  /** Repository path prefix; empty for the whole registry. */
  path: string;
}

const HOST_PORT =
  /^(?<host>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::(?<port>[0-9]{1,5}))?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOCKER_HUB_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io']);

/** What is wrong with a `host[:port][/path]` registry key; undefined when nothing is. */
export function registryKeyProblem(text: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return 'a registry key has no scheme: write host[:port][/path]';
  if (text.endsWith('/')) return 'a registry key does not end with "/"';
  const { hostPort, path } = splitKey(text);
  const match = HOST_PORT.exec(hostPort);
  if (!match) return `invalid registry host ${JSON.stringify(hostPort)}`;
  const port = match.groups?.port;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `invalid port ${port}`;
  for (const component of path === '' ? [] : path.split('/')) {
    if (!PATH_COMPONENT.test(component)) return `invalid repository path component ${JSON.stringify(component)}`;
  }
  return undefined;
}

/** Keys parsed so far: every tag of a catalog is matched against all its keys, more than once. */
const parsedKeys = new Map<string, CatalogRegistryKey | undefined>();

/** Parses `host[:port][/path]`; undefined when it is not one. */
export function parseRegistryKey(text: string): CatalogRegistryKey | undefined {
  if (parsedKeys.has(text)) return parsedKeys.get(text);
  const { hostPort, path } = splitKey(text);
  const key = registryKeyProblem(text) === undefined ? { hostPort: normalizeHostPort(hostPort), path } : undefined;
  parsedKeys.set(text, key);
  return key;
}

function splitKey(text: string): { hostPort: string; path: string } {
  const slash = text.indexOf('/');
  return slash < 0 ? { hostPort: text, path: '' } : { hostPort: text.slice(0, slash), path: text.slice(slash + 1) };
}

/** Lower-case, with Docker Hub's API and index host names taken as `docker.io`. */
export function normalizeHostPort(hostPort: string): string {
  const lower = hostPort.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

/**
 * The settings of the most specific `registries` key for a repository: the key's host[:port] must equal the
 * registry's exactly, and among those the longest path prefix (whole path components) wins.
 */
export function matchRegistrySettings(
  catalog: Pick<Catalog, 'registries'>,
  host: string,
  repository: string,
): RegistrySettings | undefined {
  const hostPort = normalizeHostPort(host);
  let best: RegistrySettings | undefined;
  let bestLength = -1;
  for (const settings of catalog.registries) {
    const key = parseRegistryKey(settings.key);
    if (!key || key.hostPort !== hostPort || !isPathPrefix(key.path, repository)) continue;
    if (key.path.length > bestLength) {
      best = settings;
      bestLength = key.path.length;
    }
  }
  return best;
}

/** The settings of every `registries` key naming this host and port, whatever its path prefix. */
export function registrySettingsOfHost(catalog: Pick<Catalog, 'registries'>, host: string): RegistrySettings[] {
  const hostPort = normalizeHostPort(host);
  return catalog.registries.filter((settings) => parseRegistryKey(settings.key)?.hostPort === hostPort);
}

function isPathPrefix(prefix: string, repository: string): boolean {
  return prefix === '' || repository === prefix || repository.startsWith(`${prefix}/`);
}
