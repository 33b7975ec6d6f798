import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { trackProcess } from './cleanup.js';
import { CLI_PATH, tempDir } from './cli.js';
import type { FaultProxy, SeenRequest } from './fault-proxy.js';
import type { GeneratedImage, ImageSpec } from './images.js';
import { reachableBlobs } from './layout-content.js';
import type { RegistryHandle } from './registry.js';
import { runSkopeo } from './skopeo.js';
import type { Upstream } from './upstream.js';
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
const ISOLATED = /^(REGISTRY_AUTH_FILE|DOCKER_CONFIG|XDG_RUNTIME_DIR|XDG_CONFIG_HOME|https?_proxy|no_proxy)$/i;

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

/** A tag's versions: the first one mirrored by an apply, the second pushed since, waiting to be copied. */
export interface MovedTag {
  mirrored: GeneratedImage;
  moved: GeneratedImage;
}

/**
 * Pushes `repository:latest` (one 4 MiB layer, seeded `v1`), applies `catalog` in `work` (a catalog with a Local tag of
 * it), then pushes `v2` over it: the next apply has a large layer to copy.
 */
export async function mirroredThenMoved(
  upstream: Upstream,
  work: Workspace,
  repository: string,
  catalog: string,
): Promise<MovedTag> {
  const spec = (seed: string): ImageSpec => ({ platforms: ['linux/amd64'], layerBytes: 4 * 1024 * 1024, seed });
  const mirrored = await upstream.push(repository, 'latest', spec('v1'));
  work.writeCatalog(catalog);
  await work.expectRun(['apply', '--auto-approve'], 0);
  return { mirrored, moved: await upstream.push(repository, 'latest', spec('v2')) };
}

/**
 * Starts `apply` in `work` with the blobs `proxy` serves slowed down, and resolves once the moved image's layer has been
 * downloading for a while: the copy is under way, for a test to kill.
 */
export async function applyCaughtCopying(
  work: Workspace,
  proxy: FaultProxy,
  repository: string,
  moved: GeneratedImage,
): Promise<ChildProcess> {
  proxy.inject({ kind: 'slow', delayMs: 20, chunkBytes: 64 * 1024 }, { method: 'GET', path: /\/blobs\//, times: 10 });
  const child = startCli(work, ['apply', '--auto-approve']);
  const layer = `/v2/${repository}/blobs/${moved.manifests[0]!.layerDigests[0]}`;
  await waitFor(() => proxy.count({ method: 'GET', path: layer }) > 0, 'the layer download to start');
  await new Promise((resolve) => setTimeout(resolve, 300));
  return child;
}

/** Removes the lock a killed `imagestreams` left behind, as its operator would: `force-unlock ID`. */
export async function forceUnlock(work: Workspace): Promise<void> {
  const lock = JSON.parse(readFileSync(`${work.statePath}.lock`, 'utf8')) as { id: string };
  await work.expectRun(['force-unlock', lock.id], 0);
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
