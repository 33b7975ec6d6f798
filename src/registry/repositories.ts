import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { ImageSourceReference } from '../core/reference.js';
import type { CredentialProvider } from './auth/repository-credentials.js';
import { ContentCache } from './content-cache.js';
import { DEFAULT_CLIENT_OPTIONS, RegistryClient, type RegistryClientOptions } from './distribution/client.js';
import { RegistryRepository } from './distribution/registry-repository.js';
import { certsDirFiles, defaultCertsDirs } from './http/certs-dir.js';
import { RequestLimiter } from './http/limiter.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './http/retry.js';
import type { Warn } from './http/tls-context.js';
import { LayoutRepository } from './layout/layout-repository.js';
import type { ImageRepository } from './repository.js';

/** Per-registry settings as the catalog (or command-line flags) give them. */
export interface RegistryConnectionSettings {
  /** Identifies the settings entry (the catalog key); clients are shared per host and entry. */
  key: string;
  insecure?: boolean;
  caFiles?: string[];
  clientCertFile?: string;
  clientKeyFile?: string;
  maxConcurrency?: number;
  requestsPerSecond?: number;
  /** Overrides of the request deadline (DEFAULT_DEADLINE): grace period and floor rate. */
  requestTimeoutMs?: number;
  minBytesPerSecond?: number;
}

/** The limits of a whole registry host, whichever settings entry its repositories match. */
export interface HostLimits {
  maxConcurrency?: number;
  requestsPerSecond?: number;
}

export interface RepositoriesOptions {
  /** Settings for a registry host and repository (most specific catalog entry), if any. */
  settingsFor?: (registry: string, repository: string) => RegistryConnectionSettings | undefined;
  /** Limits for a registry host; by default those of the settings its first repository matched. */
  hostLimitsFor?: (registry: string) => HostLimits;
  credentials?: CredentialProvider;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Directories searched for `<host:port>/` certificates; docker's and podman's by default. */
  certsDirs?: string[];
  retry?: Partial<RetryPolicy>;
  connectTimeoutMs?: number;
  bodyTimeoutMs?: number;
  userAgent?: string;
  /** Told of a problem the work goes on despite, once: a NODE_EXTRA_CA_CERTS file that cannot be used. */
  warn?: Warn;
}

export interface OpenOptions {
  /** The tag's own `insecure` (OpenShift importPolicy.insecure); ORed with the registry's. */
  insecure?: boolean;
  /** For `oci:` sources: the path as written, for names in messages and pull specs. */
  displayPath?: string;
}

/**
 * Opens image repositories of either back end, sharing one client (connections, tokens) per registry and settings,
 * and one request limiter per registry host.
 */
export class Repositories {
  private readonly clients = new Map<string, RegistryClient>();
  /** Each registry repository opened, by registry, repository and the tag's insecure: a catalog opens one per tag. */
  private readonly opened = new Map<string, RegistryRepository>();
  private readonly limiters = new Map<string, RequestLimiter>();
  private readonly cache = new ContentCache();

  constructor(private readonly options: RepositoriesOptions = {}) {}

  open(source: ImageSourceReference, openOptions: OpenOptions = {}): ImageRepository {
    if (source.transport === 'layout') {
      const dir = isAbsolute(source.ref.path) ? source.ref.path : resolve(source.ref.path);
      return new LayoutRepository(dir, openOptions.displayPath ?? source.ref.path);
    }
    const { registry, repository } = source.ref;
    const insecure = openOptions.insecure ?? false;
    const key = `${registry}\u0000${repository}\u0000${insecure}`;
    let opened = this.opened.get(key);
    if (!opened) {
      opened = new RegistryRepository(this.client(registry, repository, insecure), repository, this.cache);
      this.opened.set(key, opened);
    }
    return opened;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
    this.opened.clear();
  }

  private client(registry: string, repository: string, tagInsecure: boolean): RegistryClient {
    const settings = this.options.settingsFor?.(registry, repository);
    const insecure = tagInsecure || (settings?.insecure ?? false);
    const key = `${registry}\u0000${settings?.key ?? ''}\u0000${insecure}`;
    let client = this.clients.get(key);
    if (!client) {
      const limiter = this.limiter(registry, settings);
      const options = this.clientOptions(registry, settings, insecure);
      // Its pool opens no more connections than the host allows requests at once, whatever this key says.
      options.maxConcurrency = Math.min(options.maxConcurrency, limiter.concurrency);
      client = new RegistryClient({ ...options, limiter });
      this.clients.set(key, client);
    }
    return client;
  }

  private limiter(registry: string, settings: RegistryConnectionSettings | undefined): RequestLimiter {
    let limiter = this.limiters.get(registry);
    if (!limiter) {
      const limits = this.options.hostLimitsFor?.(registry) ?? settings ?? {};
      limiter = new RequestLimiter(
        limits.maxConcurrency ?? DEFAULT_CLIENT_OPTIONS.maxConcurrency,
        limits.requestsPerSecond,
      );
      this.limiters.set(registry, limiter);
    }
    return limiter;
  }

  private clientOptions(
    registry: string,
    settings: RegistryConnectionSettings | undefined,
    insecure: boolean,
  ): RegistryClientOptions {
    const env = this.options.env ?? process.env;
    const certs = certsDirFiles(
      registry,
      this.options.certsDirs ?? defaultCertsDirs(this.options.homeDir ?? homedir()),
    );
    const out: RegistryClientOptions = {
      ...DEFAULT_CLIENT_OPTIONS,
      registry,
      insecure,
      caFiles: [...certs.caFiles, ...(settings?.caFiles ?? [])],
      maxConcurrency: settings?.maxConcurrency ?? DEFAULT_CLIENT_OPTIONS.maxConcurrency,
      retry: { ...DEFAULT_RETRY_POLICY, ...this.options.retry },
      connectTimeoutMs: this.options.connectTimeoutMs ?? DEFAULT_CLIENT_OPTIONS.connectTimeoutMs,
      bodyTimeoutMs: this.options.bodyTimeoutMs ?? DEFAULT_CLIENT_OPTIONS.bodyTimeoutMs,
      deadline: {
        graceMs: settings?.requestTimeoutMs ?? DEFAULT_CLIENT_OPTIONS.deadline.graceMs,
        minBytesPerSecond: settings?.minBytesPerSecond ?? DEFAULT_CLIENT_OPTIONS.deadline.minBytesPerSecond,
      },
      env,
      userAgent: this.options.userAgent ?? DEFAULT_CLIENT_OPTIONS.userAgent,
    };
    const clientCert = settings?.clientCertFile ?? certs.clientCertFile;
    const clientKey = settings?.clientKeyFile ?? certs.clientKeyFile;
    if (clientCert && clientKey) {
      out.clientCertFile = clientCert;
      out.clientKeyFile = clientKey;
    }
    if (settings?.requestsPerSecond) out.requestsPerSecond = settings.requestsPerSecond;
    if (this.options.credentials) out.credentials = this.options.credentials;
    if (this.options.warn) out.warn = this.options.warn;
    return out;
  }
}
