import { homedir } from 'node:os';
import { dirname, relative } from 'node:path';
import { matchRegistrySettings, registrySettingsOfHost } from '../config/index.js';
import type { Catalog, CatalogTag } from '../core/catalog.js';
import { parseImageSource } from '../core/reference.js';
import {
  type CredentialStoreOptions,
  createCredentialStore,
  type FollowedCredentialFiles,
} from '../credentials/index.js';
import { type HostLimits, type RegistryConnectionSettings, Repositories } from '../registry/repositories.js';
import type { ImageRepository } from '../registry/repository.js';

export interface CatalogRepositoriesOptions {
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** `--authfile`: a credentials file consulted after the catalog's pull secrets. */
  authFile?: string;
  /** Told of a problem the work goes on despite, once: a NODE_EXTRA_CA_CERTS file that cannot be used. */
  warn?: (message: string) => void;
}

/** The repositories a catalog's tags import from, with its registry settings and credentials. */
export interface CatalogRepositories {
  repositories: Repositories;
  openTag(tag: CatalogTag): ImageRepository;
  /** The files the credentials are read from (looked for only when asked: `watch` follows them). */
  readonly credentialFiles: FollowedCredentialFiles;
  close(): Promise<void>;
}

export function catalogRepositories(catalog: Catalog, options: CatalogRepositoriesOptions = {}): CatalogRepositories {
  const env = options.env ?? process.env;
  const credentialOptions: CredentialStoreOptions = {
    env,
    homeDir: options.homeDir ?? homedir(),
    catalogDir: dirname(catalog.path),
    // Relative, so that messages (and conditions in the committed state) name the secret as the catalog does.
    catalogSecrets: catalog.registries.flatMap((r) =>
      r.auth?.secret ? [{ key: r.key, path: relative(dirname(catalog.path), r.auth.secret) }] : [],
    ),
  };
  if (options.authFile) credentialOptions.authFile = options.authFile;
  const credentials = createCredentialStore(credentialOptions);
  const repositories = new Repositories({
    env,
    credentials,
    settingsFor: (host, repository) => connectionSettings(catalog, host, repository),
    hostLimitsFor: (host) => hostLimits(catalog, host),
    ...(options.warn && { warn: options.warn }),
  });
  return {
    repositories,
    openTag: (tag) => repositories.open(tag.source, { insecure: tag.spec.insecure, ...writtenLayoutPath(tag) }),
    get credentialFiles() {
      return credentials.files;
    },
    close: () => repositories.close(),
  };
}

export interface ImageRepositoriesOptions {
  env: NodeJS.ProcessEnv;
  homeDir?: string;
  authFile?: string;
  /** A CA bundle to trust for every registry. */
  caFile?: string;
  /** Told of a problem the work goes on despite, once (see CatalogRepositoriesOptions). */
  warn?: (message: string) => void;
}

/** Repositories for images named on their own (no catalog): credentials from the environment and `authFile`. */
export function imageRepositories(options: ImageRepositoriesOptions): Repositories {
  const credentialOptions: CredentialStoreOptions = { env: options.env, homeDir: options.homeDir ?? homedir() };
  if (options.authFile) credentialOptions.authFile = options.authFile;
  const caFiles = options.caFile ? [options.caFile] : undefined;
  return new Repositories({
    env: options.env,
    credentials: createCredentialStore(credentialOptions),
    settingsFor: () => (caFiles ? { key: '--ca-file', caFiles } : undefined),
    ...(options.warn && { warn: options.warn }),
  });
}

function connectionSettings(
  catalog: Catalog,
  host: string,
  repository: string,
): RegistryConnectionSettings | undefined {
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
  if (settings.requestTimeoutMs) out.requestTimeoutMs = settings.requestTimeoutMs;
  if (settings.minBytesPerSecond) out.minBytesPerSecond = settings.minBytesPerSecond;
  return out;
}

/** A host's limits hold for all its repositories: the smallest any of its `registries` keys sets. */
function hostLimits(catalog: Catalog, host: string): HostLimits {
  const entries = registrySettingsOfHost(catalog, host);
  return {
    maxConcurrency: smallest(entries.map((e) => e.maxConcurrency)),
    requestsPerSecond: smallest(entries.map((e) => e.requestsPerSecond)),
  };
}

function smallest(values: (number | undefined)[]): number | undefined {
  const given = values.filter((v) => v !== undefined);
  return given.length > 0 ? Math.min(...given) : undefined;
}

/** For `oci:` sources, the path as written in the catalog, for messages and pull specs. */
function writtenLayoutPath(tag: CatalogTag): { displayPath?: string } {
  if (tag.source.transport !== 'layout') return {};
  const written = parseImageSource(tag.spec.from);
  return written.transport === 'layout' ? { displayPath: written.ref.path } : {};
}
