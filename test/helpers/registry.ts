import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { makeTempDir, removeTempDir, stopProcess, trackProcess } from './cleanup.js';
import { generatePki, type TestPki } from './tls.js';
import { startTokenServer, type TokenServer, type TokenServerOptions } from './token-server.js';

export type RegistryMode = 'plain' | 'basic' | 'token';

export interface RegistryOptions {
  /** `plain`: no auth; `basic`: htpasswd; `token`: Bearer tokens from a test token server. Default `plain`. */
  mode?: RegistryMode;
  /** Serve TLS with a generated CA's certificate. Default: true for `basic`, false otherwise. */
  tls?: boolean;
  /** With TLS: require client certificates signed by the CA (mutual TLS). */
  clientCertificates?: boolean;
  /** Credentials for `basic` and `token` modes (generated when absent). */
  username?: string;
  password?: string;
  /** `token` mode: options for the token server; `{ [username]: password }` is always among its users. */
  token?: Omit<TokenServerOptions, 'tls' | 'signing'>;
  /** `token` mode: serve the token realm over https (with the same PKI). */
  tokenServerTls?: boolean;
  /**
   * `token` mode: the realm the registry names in its challenges, given the token server (default its own realm);
   * e.g. that of a proxy in front of it.
   */
  tokenRealm?: (tokenServer: TokenServer) => string | Promise<string>;
  /** Accept Docker schema 1 manifests (distribution's `compatibility.schema1.enabled`). */
  schema1?: boolean;
  /** Reuse a PKI instead of generating one. */
  pki?: TestPki;
  /** Run in this directory (created when missing, kept by `stop()`) instead of a fresh temporary one. */
  dir?: string;
  /**
   * Log errors only, with no access log, as a benchmark's registry runs (logging every request costs it time). The
   * registry then listens on a free port picked beforehand, as it no longer logs the one it got.
   */
  quiet?: boolean;
  readyTimeoutMs?: number;
}

export interface RegistryHandle {
  /** `127.0.0.1:PORT` */
  host: string;
  port: number;
  /** `http(s)://127.0.0.1:PORT` */
  url: string;
  mode: RegistryMode;
  tls: boolean;
  ca?: { caCertPath: string; caPem: string };
  pki?: TestPki;
  username?: string;
  password?: string;
  tokenServer?: TokenServer;
  dir: string;
  logPath: string;
  /** The registry's log so far. */
  log(): string;
  stop(): Promise<void>;
}

const LISTENING = /listening on 127\.0\.0\.1:(\d+)/;

function registryConfig(
  dir: string,
  options: RegistryOptions,
  tls: boolean,
  pki: TestPki | undefined,
  auth: unknown,
  port: number | undefined,
): Record<string, unknown> {
  const http: Record<string, unknown> = {
    addr: `127.0.0.1:${port ?? 0}`,
    secret: randomBytes(16).toString('hex'),
    headers: { 'X-Content-Type-Options': ['nosniff'] },
  };
  if (tls && pki) {
    http.tls = {
      certificate: pki.server.certPath,
      key: pki.server.keyPath,
      ...(options.clientCertificates ? { clientcas: [pki.caCertPath] } : {}),
    };
  }
  return {
    version: 0.1,
    log: {
      level: options.quiet ? 'error' : 'info',
      formatter: 'text',
      accesslog: { disabled: options.quiet === true },
    },
    storage: {
      filesystem: { rootdirectory: join(dir, 'storage') },
      delete: { enabled: true },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http,
    ...(auth ? { auth } : {}),
    compatibility: { schema1: { enabled: options.schema1 === true } },
  };
}

function htpasswdLine(username: string, password: string): string {
  return execFileSync('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' }).trim();
}

/** The environment without `REGISTRY_*` variables, which distribution would read as configuration overrides. */
function registryEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRY_')));
}

function probe(url: string, caPem: string | undefined, pki: TestPki | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', timeout: 2000, ca: caPem, cert: pki?.client.certPem, key: pki?.client.keyPem };
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const request = send(url, options, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits until `/v2/` answers on `knownPort`, or else on the port the registry logs it listens on. */
async function waitForReady(
  logPath: string,
  exited: () => string | undefined,
  scheme: string,
  pki: TestPki | undefined,
  timeoutMs: number,
  knownPort: number | undefined,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'did not log its listening address';
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit)
      throw new Error(`docker-registry exited (${exit}) before it was ready. Log:\n${readFileSync(logPath, 'utf8')}`);
    const port = knownPort ?? LISTENING.exec(readFileSync(logPath, 'utf8'))?.[1];
    if (port) {
      try {
        const status = await probe(`${scheme}://127.0.0.1:${port}/v2/`, pki?.caPem, pki);
        if (status === 200 || status === 401) return Number(port);
        lastProblem = `/v2/ answered ${status}`;
      } catch (error) {
        lastProblem = `/v2/ failed: ${(error as Error).message}`;
      }
    }
    await sleep(50);
  }
  throw new Error(
    `docker-registry not ready after ${timeoutMs} ms (${lastProblem}). Log:\n${readFileSync(logPath, 'utf8')}`,
  );
}

async function authConfig(
  dir: string,
  mode: RegistryMode,
  credentials: { username: string; password: string },
  options: RegistryOptions,
  pki: TestPki | undefined,
): Promise<{ auth?: unknown; tokenServer?: TokenServer }> {
  if (mode === 'basic') {
    const path = join(dir, 'htpasswd');
    writeFileSync(path, `${htpasswdLine(credentials.username, credentials.password)}\n`);
    return { auth: { htpasswd: { realm: 'imagestreams-test', path } } };
  }
  if (mode === 'token') {
    const tokenServer = await startTokenServer({
      ...options.token,
      users: { [credentials.username]: credentials.password, ...options.token?.users },
      ...(options.tokenServerTls && pki ? { tls: pki.server } : {}),
    });
    const auth = {
      token: {
        realm: options.tokenRealm ? await options.tokenRealm(tokenServer) : tokenServer.realm,
        service: tokenServer.service,
        issuer: tokenServer.issuer,
        rootcertbundle: tokenServer.signingCertPath,
      },
    };
    return { auth, tokenServer };
  }
  return {};
}

/** Starts Debian's `docker-registry` (distribution 2.8) on a free loopback port and waits until `/v2/` answers. */
export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryHandle> {
  const mode = options.mode ?? 'plain';
  const tls = options.tls ?? mode === 'basic';
  const dir = options.dir ?? makeTempDir(`imagestreams-registry-${mode}-`);
  if (options.dir) mkdirSync(dir, { recursive: true });
  const logPath = join(dir, 'registry.log');
  const credentials = {
    username: options.username ?? 'tester',
    password: options.password ?? `pw-${randomBytes(9).toString('base64url')}`,
  };
  const pki = options.pki ?? (tls || options.tokenServerTls ? generatePki(join(dir, 'pki')) : undefined);
  let tokenServer: TokenServer | undefined;
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child) await stopProcess(child);
    await tokenServer?.stop();
    if (!options.dir) removeTempDir(dir);
  };
  try {
    const auth = await authConfig(dir, mode, credentials, options, pki);
    tokenServer = auth.tokenServer;
    mkdirSync(join(dir, 'storage'), { recursive: true });
    const configPath = join(dir, 'config.yml');
    const scheme = tls ? 'https' : 'http';
    let port: number | undefined;
    // A quiet registry logs no address, so it is given a port found free, which another process may take first.
    for (let attempt = 1; port === undefined; attempt++) {
      const knownPort = options.quiet ? await freePort() : undefined;
      writeFileSync(configPath, stringify(registryConfig(dir, options, tls, pki, auth.auth, knownPort)));
      if (attempt > 1) writeFileSync(logPath, '');
      child = spawnRegistry(configPath, logPath);
      const exit = exitWatcher(child);
      try {
        port = await waitForReady(logPath, exit, scheme, pki, options.readyTimeoutMs ?? 15_000, knownPort);
      } catch (error) {
        if (!options.quiet || attempt === 3 || !/address already in use/.test(readFileSync(logPath, 'utf8'))) {
          throw error;
        }
        await stopProcess(child);
      }
    }
    const host = `127.0.0.1:${port}`;
    return {
      host,
      port,
      url: `${tls ? 'https' : 'http'}://${host}`,
      mode,
      tls,
      ca: pki ? { caCertPath: pki.caCertPath, caPem: pki.caPem } : undefined,
      pki,
      ...(mode === 'plain' ? {} : credentials),
      tokenServer,
      dir,
      logPath,
      log: () => readFileSync(logPath, 'utf8'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function spawnRegistry(configPath: string, logPath: string): ChildProcess {
  const logFd = openSync(logPath, 'a');
  try {
    const child = spawn('docker-registry', ['serve', configPath], {
      stdio: ['ignore', logFd, logFd],
      env: registryEnvironment(),
    });
    trackProcess(child);
    return child;
  } finally {
    closeSync(logFd);
  }
}

/** Returns a function telling how the process ended, or undefined while it runs. */
function exitWatcher(child: ChildProcess): () => string | undefined {
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `code ${code}`;
  });
  child.once('error', (error) => {
    exit = error.message;
  });
  return () => exit;
}
