import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DOCKER_HUB_SERVER_URL } from '../core/reference.js';
import {
  bestMatch,
  isDockerHub,
  parseRegistryKey,
  type RegistryKey,
  type RegistryTarget,
  rankMatches,
  registryTarget,
} from '../core/registry-key.js';
import type { AuthConfig } from './auth-config.js';
import { CredentialFile } from './credential-file.js';
import { CredentialHelpers, DEFAULT_HELPER_TIMEOUT_MS } from './credential-helper.js';
import type { DocumentRole } from './credentials-document.js';
import { CredentialsError } from './errors.js';
import { type FollowedCredentialFiles, followedCredentialFiles } from './followed-files.js';
import type { CredentialLookup, CredentialStore, FoundCredential } from './types.js';

export interface CatalogSecret {
  /** The catalog's `registries` key: host[:port][/path-prefix]. */
  key: string;
  /** The `auth.secret` path: absolute, or relative to `catalogDir`. */
  path: string;
}

export interface CredentialStoreOptions {
  /** Pull secrets from the catalog's `registries.*.auth.secret`. */
  catalogSecrets?: CatalogSecret[];
  /** Relative catalog secret paths are read from here (the catalog's directory); default: the working directory. */
  catalogDir?: string;
  /** `--authfile`; overrides `REGISTRY_AUTH_FILE`. Must exist when given. */
  authFile?: string;
  /** Environment: REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, XDG_CONFIG_HOME, DOCKER_CONFIG, and PATH for credential helpers. */
  env: NodeJS.ProcessEnv;
  homeDir: string;
  helperTimeoutMs?: number;
}

/** A store of credentials read from files, which tells the files it reads. */
export interface FileCredentialStore extends CredentialStore {
  readonly files: FollowedCredentialFiles;
}

interface CatalogSource {
  key: RegistryKey;
  file: CredentialFile;
}

/**
 * Credentials in this order, the first source with a matching entry winning: catalog pull secrets (most specific
 * registry key first), then the user's files (`userFiles`). Files are read once, when first needed, except the one
 * `--authfile` or `REGISTRY_AUTH_FILE` names: it is read at once, so that a missing or broken one fails right away.
 */
export function createCredentialStore(options: CredentialStoreOptions): FileCredentialStore {
  const catalog = catalogSources(options);
  const files = userFiles(options);
  const helpers = new CredentialHelpers({
    env: options.env,
    timeoutMs: options.helperTimeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS,
  });

  const sourcesFor = (target: RegistryTarget | undefined): CredentialFile[] => {
    const matching = target ? rankMatches(catalog, (s) => s.key, target) : catalog;
    return [...matching.map((s) => s.file), ...files];
  };

  let followed: FollowedCredentialFiles | undefined;
  return {
    get files() {
      followed ??= followedCredentialFiles([...catalog.map((s) => s.file), ...files]);
      return followed;
    },
    async find(lookup: CredentialLookup): Promise<FoundCredential | undefined> {
      const target = targetOf(lookup);
      if (!target) return undefined;
      const serverUrl = isDockerHub(target) ? DOCKER_HUB_SERVER_URL : lookup.host;
      for (const file of sourcesFor(target)) {
        const config = await file.load();
        const found = config && (await findInConfig(config, target, { label: file.label, serverUrl, helpers }));
        if (found) return found;
      }
      return undefined;
    },
    describeSources(lookup?: CredentialLookup): string[] {
      const target = lookup ? targetOf(lookup) : undefined;
      return sourcesFor(target).map((file) => (file.knownMissing ? `${file.label} (no such file)` : file.label));
    },
  };
}

interface ConfigSearch {
  label: string;
  serverUrl: string;
  helpers: CredentialHelpers;
}

/** Within one file: the registry's credential helper, then its `auths` entry, then the default credential store. */
async function findInConfig(
  config: AuthConfig,
  target: RegistryTarget,
  search: ConfigSearch,
): Promise<FoundCredential | undefined> {
  const helperEntry = bestMatch(config.credHelpers, (h) => h.key, target);
  if (helperEntry) {
    const credential = await search.helpers.get(helperEntry.helper, search.serverUrl);
    if (credential) return { credential, source: `${search.label} (credHelpers: ${helperEntry.helper})` };
  }
  const entry = bestMatch(config.entries, (e) => e.key, target);
  if (entry) return { credential: entry.credential, source: `${search.label} (key ${entry.key.text})` };
  if (config.credsStore) {
    const credential = await search.helpers.get(config.credsStore, search.serverUrl);
    if (credential) return { credential, source: `${search.label} (credsStore: ${config.credsStore})` };
  }
  return undefined;
}

function catalogSources(options: CredentialStoreOptions): CatalogSource[] {
  const baseDir = options.catalogDir ?? process.cwd();
  return (options.catalogSecrets ?? []).map(({ key, path }) => {
    const registryKey = parseRegistryKey(key);
    if (!registryKey) throw new CredentialsError(`catalog registry key ${JSON.stringify(key)} names no registry host`);
    const file = new CredentialFile({
      path: resolve(baseDir, path),
      displayPath: shownCatalogPath(path, options),
      label: `catalog secret ${shownCatalogPath(path, options)} for ${key}`,
      role: 'pullSecret',
      required: true,
    });
    return { key: registryKey, file };
  });
}

/**
 * containers-auth.json(5)'s files, then docker's: the named auth file, `$XDG_RUNTIME_DIR/containers/auth.json`,
 * `$XDG_CONFIG_HOME/containers/auth.json` (`~/.config/…`), `$DOCKER_CONFIG/config.json` (`~/.docker/…`), `~/.dockercfg`.
 */
function userFiles(options: CredentialStoreOptions): CredentialFile[] {
  const { env, homeDir } = options;
  const file = (path: string, what: string, role: DocumentRole = 'authFile', required = false) => {
    const shown = tildePath(path, homeDir);
    return new CredentialFile({ path, displayPath: shown, label: `${what} ${shown}`, role, required });
  };
  const files: CredentialFile[] = [];
  const authFile = options.authFile || env.REGISTRY_AUTH_FILE;
  if (authFile) {
    const named = file(authFile, options.authFile ? '--authfile' : 'REGISTRY_AUTH_FILE', 'authFile', true);
    named.loadNow();
    files.push(named);
  }
  const containersAuth = (dir: string) => file(join(dir, 'containers', 'auth.json'), 'containers auth file');
  if (env.XDG_RUNTIME_DIR) files.push(containersAuth(env.XDG_RUNTIME_DIR));
  files.push(containersAuth(env.XDG_CONFIG_HOME || join(homeDir, '.config')));
  files.push(file(join(env.DOCKER_CONFIG || join(homeDir, '.docker'), 'config.json'), 'docker config'));
  files.push(file(join(homeDir, '.dockercfg'), 'legacy docker config', 'legacyDockercfg'));
  return files;
}

/** Secret paths are shown relative to the catalog when they lie beside it. */
function shownCatalogPath(path: string, options: CredentialStoreOptions): string {
  const dir = options.catalogDir;
  if (dir && isAbsolute(path) && path.startsWith(`${dir}${sep}`)) return relative(dir, path);
  return tildePath(path, options.homeDir);
}

function tildePath(path: string, homeDir: string): string {
  const home = homeDir.endsWith(sep) ? homeDir : `${homeDir}${sep}`;
  return homeDir && path.startsWith(home) ? `~${sep}${path.slice(home.length)}` : path;
}

function targetOf(lookup: CredentialLookup): RegistryTarget | undefined {
  return registryTarget(lookup.host, lookup.repository, lookup.scheme);
}
