import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { trackProcess } from './cleanup.js';
import { CLI_PATH, tempDir } from './cli.js';
import type { FaultProxy, SeenRequest } from './fault-proxy.js';
import { reachableBlobs } from './layout-content.js';
import type { RegistryHandle } from './registry.js';
import { runSkopeo } from './skopeo.js';
import { type CatalogSpec, catalogText, type Workspace } from './workspace.js';

/** What the end-to-end tests of `referencePolicy: Local` and `prune` share. */

/** A catalog with a `local:` section. */
export function localCatalog(spec: CatalogSpec, local: { registry: string } | { layout: string }): string {
  return `${catalogText(spec)}${stringify({ local })}`;
}

/** Writes a pull secret (a raw .dockerconfigjson) for `host` with the registry's credentials; returns its path. */
export function writeDockerConfig(work: Workspace, name: string, host: string, registry: RegistryHandle): string {
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
  writeFileSync(work.file(name), JSON.stringify({ auths: { [host]: { auth } } }));
  return name;
}

/** `skopeo` flags to read from `registry` (plain HTTP, with its credentials when it has some). */
export function sourceFlags(registry: RegistryHandle): string[] {
  const flags = ['--src-tls-verify=false'];
  if (registry.username) flags.push('--src-creds', `${registry.username}:${registry.password}`);
  return flags;
}

/**
 * `skopeo copy --all` of `ref` into a fresh OCI layout `into`: fails unless every manifest and blob can be pulled.
 * Returns the blobs copied, by digest.
 */
export async function pullEverything(ref: string, flags: string[], into: string): Promise<Map<string, Buffer>> {
  await runSkopeo(['copy', '--all', '--preserve-digests', '--quiet', ...flags, ref, `oci:${into}:pulled`]);
  const [pulled] = layoutIndex(into).manifests;
  if (!pulled) throw new Error(`skopeo copied nothing of ${ref}`);
  return reachableBlobs(into, pulled.digest);
}

/** The exact manifest bytes of `ref` as skopeo reads them. */
export function rawManifest(ref: string, flags: string[] = []): Promise<Buffer> {
  const inspectFlags = flags.map((f) => f.replace(/^--src-/, '--'));
  return runSkopeo(['inspect', '--raw', ...inspectFlags, ref]);
}

/** Requests the proxy saw that write (uploads, manifest pushes, deletes). */
export function writes(proxy: FaultProxy): SeenRequest[] {
  return proxy.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
}

/** Variables of the surrounding shell that would bring its credentials or proxies into the CLI. */
const ISOLATED = /^(REGISTRY_AUTH_FILE|DOCKER_CONFIG|XDG_RUNTIME_DIR|https?_proxy|no_proxy)$/i;

/** Starts the built CLI without waiting for it (so that a test can kill it), with an empty HOME as `runCli` does. */
export function startCli(work: Workspace, args: readonly string[]): ChildProcess {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !ISOLATED.test(key)));
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: work.dir,
    env: { ...base, HOME: tempDir('imagestreams-home-').path, NO_COLOR: '1' },
    stdio: 'ignore',
  });
  trackProcess(child);
  return child;
}

/** Resolves once `child` has exited. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Waits until `condition` holds, checking every 20 ms, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** index.json of an OCI layout. */
export function layoutIndex(dir: string): { manifests: { digest: string; annotations?: Record<string, string> }[] } {
  return JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
}
