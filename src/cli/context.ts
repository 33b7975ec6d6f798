import { homedir } from 'node:os';
import { relative, resolve } from 'node:path';
import { loadCatalog, matchRegistrySettings } from '../config/index.js';
import type { Catalog, CatalogTag } from '../core/catalog.js';
import { parseImageSource } from '../core/reference.js';
import { createCredentialStore } from '../credentials/index.js';
import { type RegistryConnectionSettings, Repositories } from '../registry/repositories.js';
import type { ImageRepository } from '../registry/repository.js';
import type { Io } from './output.js';

export interface CatalogOptions {
  file?: string;
  state?: string;
  authfile?: string;
}

/** A loaded catalog with the repositories its tags import from. */
export interface CatalogContext {
  catalog: Catalog;
  repositories: Repositories;
  openTag(tag: CatalogTag): ImageRepository;
  close(): Promise<void>;
}

export async function openCatalog(options: CatalogOptions, io: Io): Promise<CatalogContext> {
  const path = resolve(io.cwd, options.file ?? 'imagestreams.yaml');
  const loadOptions: Parameters<typeof loadCatalog>[1] = { displayPath: relative(io.cwd, path) || path };
  if (options.state) loadOptions.statePathOverride = resolve(io.cwd, options.state);
  const catalog = await loadCatalog(path, loadOptions);
  const credentialOptions: Parameters<typeof createCredentialStore>[0] = {
    env: io.env,
    homeDir: homedir(),
    catalogSecrets: catalog.registries.flatMap((r) => (r.auth?.secret ? [{ key: r.key, path: r.auth.secret }] : [])),
  };
  if (options.authfile) credentialOptions.authFile = resolve(io.cwd, options.authfile);
  const repositories = new Repositories({
    env: io.env,
    credentials: createCredentialStore(credentialOptions),
    settingsFor: (host, repository) => {
      const settings = matchRegistrySettings(catalog, host, repository);
      if (!settings) return undefined;
      const out: RegistryConnectionSettings = {
        key: settings.key,
        insecure: settings.insecure,
        caFiles: settings.ca ? [settings.ca] : [],
      };
      if (settings.clientCert) out.clientCertFile = settings.clientCert;
      if (settings.clientKey) out.clientKeyFile = settings.clientKey;
      if (settings.maxConcurrency) out.maxConcurrency = settings.maxConcurrency;
      if (settings.requestsPerSecond) out.requestsPerSecond = settings.requestsPerSecond;
      return out;
    },
  });
  return {
    catalog,
    repositories,
    openTag: (tag) =>
      repositories.open(tag.source, {
        insecure: tag.spec.insecure,
        ...writtenLayoutPath(tag),
      }),
    close: () => repositories.close(),
  };
}

/** For `oci:` sources, the path as written in the catalog, for messages and pull specs. */
function writtenLayoutPath(tag: CatalogTag): { displayPath?: string } {
  const written = parseImageSource(tag.spec.from);
  return written.transport === 'layout' ? { displayPath: written.ref.path } : {};
}
