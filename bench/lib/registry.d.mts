import type { RegistryHandle, RegistryOptions } from '../../test/helpers/registry.js';
import type { TestPki } from '../../test/helpers/tls.js';
import type { TokenServer } from '../../test/helpers/token-server.js';
import type { DelayProxy } from './delay-proxy.mjs';

export interface BenchRegistry {
  port: number;
  host: string;
  scheme: 'http' | 'https';
  ca?: { caCertPath: string; caPem: string };
  auth?: { realm: string; service: string; username: string; password: string };
  tokenServer?: TokenServer;
  delayed: DelayProxy;
  tokenProxy?: DelayProxy;
  setRtt(ms: number): void;
  stop(): Promise<void>;
}

export interface RegistryHelpers {
  startRegistry(options: RegistryOptions): Promise<RegistryHandle>;
}

export function startPlainRegistry(helpers: RegistryHelpers, dir: string): Promise<BenchRegistry>;

export function startTokenRegistry(
  helpers: RegistryHelpers,
  dir: string,
  pki: TestPki,
  credentials: { username: string; password: string },
): Promise<BenchRegistry>;
