import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from './cleanup.js';
import type { RegistryHandle } from './registry.js';
import { writeCertsDir } from './tls.js';

export interface SkopeoCredentials {
  username: string;
  password: string;
}

/** How skopeo reaches one registry: `tlsVerify: false` also allows plain http. */
export interface SkopeoAccess {
  tlsVerify?: boolean;
  /** A certs.d-style directory: `*.crt` CAs, `*.cert`/`*.key` client certificate. */
  certDir?: string;
  creds?: SkopeoCredentials;
}

/** `'anonymous'` sends no credentials even to a registry that has some. */
export type CredentialsChoice = SkopeoCredentials | 'anonymous';

let hermeticEnvironment: NodeJS.ProcessEnv | undefined;

/** No user auth files, no registries.conf mirrors: skopeo sees only what a test passes. */
function skopeoEnvironment(): NodeJS.ProcessEnv {
  if (!hermeticEnvironment) {
    const dir = makeTempDir('imagestreams-skopeo-');
    writeFileSync(join(dir, 'auth.json'), '{"auths":{}}\n');
    writeFileSync(join(dir, 'registries.conf'), '');
    hermeticEnvironment = {
      ...process.env,
      REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
      DOCKER_CONFIG: dir,
      CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    };
  }
  return hermeticEnvironment;
}

/** Runs skopeo (without a signature policy) and returns its stdout bytes; fails with stderr in the message. */
export function runSkopeo(args: readonly string[], timeoutMs = 120_000): Promise<Buffer> {
  const fullArgs = ['--insecure-policy', ...args];
  return new Promise((resolve, reject) => {
    execFile(
      'skopeo',
      fullArgs,
      { env: skopeoEnvironment(), encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`skopeo ${redact(fullArgs).join(' ')} failed: ${stderr.toString().trim() || error.message}`),
          );
        else resolve(stdout);
      },
    );
  });
}

function redact(args: readonly string[]): string[] {
  return args.map((arg, i) => (args[i - 1]?.endsWith('creds') ? '***' : arg));
}

function accessFlags(prefix: '' | 'src-' | 'dest-', access: SkopeoAccess): string[] {
  const flags = [`--${prefix}tls-verify=${access.tlsVerify ?? true}`];
  if (access.certDir) flags.push(`--${prefix}cert-dir`, access.certDir);
  if (access.creds) flags.push(`--${prefix}creds`, `${access.creds.username}:${access.creds.password}`);
  return flags;
}

/** How skopeo reaches `registry`: its CA (and client certificate) when TLS, its own credentials unless told otherwise. */
export function skopeoAccessFor(registry: RegistryHandle, creds?: CredentialsChoice): SkopeoAccess {
  const access: SkopeoAccess = { tlsVerify: registry.tls };
  if (registry.pki) {
    const dir = join(registry.dir, 'skopeo-certs.d');
    access.certDir = existsSync(dir) ? dir : writeCertsDir(registry.pki, dir, { client: true });
  }
  if (creds && creds !== 'anonymous') access.creds = creds;
  else if (creds === undefined && registry.username && registry.password) {
    access.creds = { username: registry.username, password: registry.password };
  }
  return access;
}

/**
 * `skopeo copy --all --preserve-digests oci:LAYOUT:TAG docker://HOST/DESTINATION`. skopeo's `oci:` transport only
 * finds tags with OCI media types, so a Docker-typed tag is staged as skopeo's `dir:` format first.
 */
export const pushLayout: PushFromLayout = async (layoutDir, tag, registry, destination, creds) => {
  const entry = layoutEntry(layoutDir, tag);
  const staged = OCI_TYPES.has(entry.mediaType) ? undefined : stageDirTransport(layoutDir, entry.digest);
  try {
    const source = staged ? `dir:${staged}` : `oci:${layoutDir}:${tag}`;
    await copyTo(registry, destination, creds, source, ['--all', '--preserve-digests']);
  } finally {
    if (staged) removeTempDir(staged);
  }
};

/** Pushes `tag` of the OCI layout `layoutDir` to `registry` as `destination` (`repository:tag`), with `creds`. */
type PushFromLayout = (
  layoutDir: string,
  tag: string,
  registry: RegistryHandle,
  destination: string,
  creds?: CredentialsChoice,
) => Promise<void>;

/** `skopeo copy FLAGS SOURCE docker://HOST/DESTINATION` with what it needs to reach `registry` as `creds`. */
async function copyTo(
  registry: RegistryHandle,
  destination: string,
  creds: CredentialsChoice | undefined,
  source: string,
  flags: string[],
): Promise<void> {
  const access = accessFlags('dest-', skopeoAccessFor(registry, creds));
  await runSkopeo(['copy', ...flags, '--quiet', ...access, source, `docker://${registry.host}/${destination}`]);
}

const OCI_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
]);

interface LayoutEntry {
  mediaType: string;
  digest: string;
  annotations?: Record<string, string>;
}

function layoutEntry(layoutDir: string, tag: string): LayoutEntry {
  const index = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8')) as { manifests?: LayoutEntry[] };
  const entry = index.manifests?.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw new Error(`tag ${tag} not found in ${layoutDir}/index.json`);
  return entry;
}

/** skopeo's `dir:` layout: `manifest.json`, `<hex>.manifest.json` per list child, blobs named by their hex digest. */
function stageDirTransport(layoutDir: string, digest: string): string {
  const blobs = join(layoutDir, 'blobs', 'sha256');
  const staged = makeTempDir('imagestreams-skopeo-dir-');
  const hex = (d: string) => d.slice('sha256:'.length);
  const topBytes = readFileSync(join(blobs, hex(digest)));
  writeFileSync(join(staged, 'version'), 'Directory Transport Version: 1.1\n');
  writeFileSync(join(staged, 'manifest.json'), topBytes);
  const children = (JSON.parse(topBytes.toString('utf8')) as { manifests?: { digest: string }[] }).manifests ?? [];
  for (const child of children)
    linkOrCopy(join(blobs, hex(child.digest)), join(staged, `${hex(child.digest)}.manifest.json`));
  for (const name of readdirSync(blobs)) linkOrCopy(join(blobs, name), join(staged, name));
  return staged;
}

function linkOrCopy(source: string, target: string): void {
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target);
  }
}

/** The exact manifest bytes, as `skopeo inspect --raw` prints them. `ref` without a transport means `docker://`. */
export function skopeoInspectRaw(ref: string, access: SkopeoAccess = {}): Promise<Buffer> {
  const withTransport = /^[a-z-]+:(?!\d)/.test(ref) ? ref : `docker://${ref}`;
  const flags = withTransport.startsWith('docker://') ? accessFlags('', access) : [];
  return runSkopeo(['inspect', '--raw', ...flags, withTransport]);
}

/** `skopeo inspect --raw` of `repository:tag` or `repository@digest` on a test registry. */
export function skopeoInspectRawFrom(
  registry: RegistryHandle,
  repository: string,
  creds?: CredentialsChoice,
): Promise<Buffer> {
  return skopeoInspectRaw(`docker://${registry.host}/${repository}`, skopeoAccessFor(registry, creds));
}

/** Pushes one image of a layout converted to a signed Docker schema 1 manifest (needs `startRegistry({ schema1: true })`). */
export const pushAsSchema1: PushFromLayout = (layoutDir, tag, registry, destination, creds) =>
  copyTo(registry, destination, creds, `oci:${layoutDir}:${tag}`, ['--format', 'v2s1']);
