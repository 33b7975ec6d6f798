import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loopbackAgent, send } from './http.mjs';

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function registryConfig(dir, port) {
  return {
    version: 0.1,
    log: { level: 'error', formatter: 'text', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: join(dir, 'storage') },
      delete: { enabled: true },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex') },
  };
}

/** The environment without `REGISTRY_*` variables, which distribution reads as configuration overrides. */
function registryEnvironment() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRY_')));
}

/**
 * Starts Debian's `docker-registry` (plain HTTP, filesystem storage under `dir`) on a free loopback port and waits
 * until `/v2/` answers. `--registry-mode plain`.
 */
export async function startRegistry(dir) {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const port = await freePort();
  const configPath = join(dir, 'registry.yml');
  const logPath = join(dir, 'registry.log');
  writeFileSync(configPath, stringify(registryConfig(dir, port)));
  const logFd = openSync(logPath, 'a');
  const child = spawn('docker-registry', ['serve', configPath], {
    stdio: ['ignore', logFd, logFd],
    env: registryEnvironment(),
  });
  closeSync(logFd);
  let exited;
  child.once('exit', (code, signal) => {
    exited = signal ?? `code ${code}`;
  });
  child.once('error', (error) => {
    exited = error.message;
  });
  const stop = () => stopChild(child);
  try {
    await waitForReady(port, () => exited, logPath);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, host: `127.0.0.1:${port}`, scheme: 'http', stop };
}

async function waitForReady(port, exited, logPath) {
  const agent = loopbackAgent(1);
  const deadline = Date.now() + 15_000;
  try {
    while (Date.now() < deadline) {
      if (exited()) throw new Error(`docker-registry exited (${exited()}):\n${readFileSync(logPath, 'utf8')}`);
      try {
        const res = await send(agent, port, { method: 'GET', path: '/v2/' });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`docker-registry did not answer on port ${port} within 15 s:\n${readFileSync(logPath, 'utf8')}`);
  } finally {
    agent.destroy();
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
export function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * `--registry-mode token`: the test harness's registry (test/helpers/registry.ts, transpiled by `helpers`), as
 * registries run in earnest: TLS with a certificate of the generated CA `pki`, and token auth, a token server
 * (https, same CA) issuing RS256 JWTs to `credentials` and refusing anonymous pulls. Logs errors only, like the
 * plain one. The handle has the plain one's `port`, `host` and `stop`, and what a client needs: `scheme`, `ca`,
 * `auth` (realm, service and credentials), the `tokenServer` (which records every token request) and the server
 * certificate `serverTls`, for a proxy to present.
 */
export async function startTokenRegistry(helpers, dir, pki, credentials) {
  const registry = await helpers.startRegistry({
    mode: 'token',
    tls: true,
    tokenServerTls: true,
    pki,
    ...credentials,
    token: { anonymousPull: false, expiresIn: 3600 },
    dir,
    quiet: true,
  });
  const { tokenServer } = registry;
  return {
    port: registry.port,
    host: registry.host,
    scheme: 'https',
    ca: registry.ca,
    auth: { realm: tokenServer.realm, service: tokenServer.service, ...credentials },
    tokenServer,
    serverTls: { cert: pki.server.certPem, key: pki.server.keyPem },
    stop: () => registry.stop(),
  };
}
