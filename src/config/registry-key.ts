import type { Catalog, RegistrySettings } from '../core/catalog.js';
import {
  bestMatch,
  namesEndpoint,
  parseCatalogRegistryKey,
  type RegistryScheme,
  registryTarget,
} from '../core/registry-key.js';

/**
 * The settings of the most specific `registries` key for a repository, matched as credentials are: the key's host
 * and port must name the registry's (a default port being the same as none), then the longest path prefix (whole
 * path components) wins, then the port spelt as in the reference. Settings are chosen before connecting, when the
 * registry is about to be reached over https.
 */
export function matchRegistrySettings(
  catalog: Pick<Catalog, 'registries'>,
  host: string,
  repository: string,
  scheme: RegistryScheme = 'https',
): RegistrySettings | undefined {
  const target = registryTarget(host, repository, scheme);
  return target && bestMatch(catalog.registries, (settings) => parseCatalogRegistryKey(settings.key), target);
}

/** The settings of every `registries` key naming this host and port, whatever its path prefix. */
export function registrySettingsOfHost(
  catalog: Pick<Catalog, 'registries'>,
  host: string,
  scheme: RegistryScheme = 'https',
): RegistrySettings[] {
  const target = registryTarget(host, '', scheme);
  return catalog.registries.filter((settings) => {
    const key = parseCatalogRegistryKey(settings.key);
    return target !== undefined && key !== undefined && namesEndpoint(key, target);
  });
}
