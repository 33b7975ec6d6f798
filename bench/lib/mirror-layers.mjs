import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { registryClient } from './http.mjs';
import { digestOf, MEDIA_TYPES } from './images.mjs';
import { runCli } from './measure.mjs';
import { pushBlob, pushManifest } from './populate.mjs';

const MIB = 1024 * 1024;
const IMAGES = 2;
/** Tags of the layer dataset and the image each points at: the third one shares the first one's image. */
const TAGS = [
  { name: 'a', image: 0 },
  { name: 'b', image: 1 },
  { name: 'c', image: 0 },
];

/** Writes `mib` MiB of random bytes to `path` one MiB at a time; returns the digest and size. */
function writeRandomBlob(path, mib) {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(MIB);
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      randomFillSync(chunk);
      hash.update(chunk);
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return { digest: `sha256:${hash.digest('hex')}`, size: mib * MIB };
}

/** One single-platform OCI image whose only layer is `mib` MiB, generated on disk and streamed to the registry. */
async function pushLayerImage(client, repository, mib, scratch) {
  const path = join(scratch, `layer-${mib}-${Date.now()}`);
  try {
    const layer = writeRandomBlob(path, mib);
    await pushBlob(client, repository, layer.digest, () => createReadStream(path), layer.size);
    const configBytes = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
    );
    const config = { digest: digestOf(configBytes), size: configBytes.length };
    await pushBlob(client, repository, config.digest, configBytes);
    const types = MEDIA_TYPES.oci;
    return Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: types.manifest,
        config: { mediaType: types.config, ...config },
        layers: [{ mediaType: types.layer, ...layer }],
      }),
    );
  } finally {
    rmSync(path, { force: true });
  }
}

/** Pushes the layer dataset for `mib` into `repository`: two images, three tags. */
async function pushLayerDataset(registry, repository, mib, scratch) {
  const client = registryClient(registry, 4);
  try {
    const manifests = [];
    for (let i = 0; i < IMAGES; i++) manifests.push(await pushLayerImage(client, repository, mib, scratch));
    for (const tag of TAGS) {
      const manifest = { mediaType: MEDIA_TYPES.oci.manifest, bytes: manifests[tag.image] };
      await pushManifest(client, repository, tag.name, manifest);
    }
  } finally {
    client.close();
  }
}

function layerCatalog(source, repository, stream, mirrorTo, registrySettings) {
  const tags = Object.fromEntries(
    TAGS.map((tag) => [tag.name, { from: `${source.host}/${repository}:${tag.name}`, referencePolicy: 'Local' }]),
  );
  return {
    apiVersion: 'imagestreams/v1',
    kind: 'Catalog',
    state: 'imagestreams.state.json',
    registries: { [source.host]: registrySettings, [mirrorTo.split('/')[0]]: registrySettings },
    local: { registry: mirrorTo },
    streams: { [stream]: { tags } },
  };
}

/**
 * The mirror scenario on a tiny dataset whose layers are `mib` MiB: `apply --auto-approve` of three `Local` tags
 * (two distinct images) from the source registry into an empty namespace of the local one, run once, straight.
 * Every tag must be imported; the local registry must then hold every tag.
 */
async function measureLayerSize(ctx, mib) {
  const repository = `layers/l${mib}`;
  const stream = `layers-${mib}`;
  const namespace = `mirror-layers-${mib}`;
  const dir = join(ctx.layersDir, String(mib));
  mkdirSync(dir, { recursive: true });
  await pushLayerDataset(ctx.source, repository, mib, ctx.layersDir);
  const catalogPath = join(dir, 'imagestreams.yaml');
  const catalog = layerCatalog(ctx.source, repository, stream, `${ctx.local.host}/${namespace}`, ctx.registrySettings);
  writeFileSync(catalogPath, stringify(catalog));
  const run = await runCli(ctx.cliPath, [...ctx.cliArgs, 'apply', '--auto-approve', '--json', '-f', catalogPath], {
    env: ctx.env,
    cwd: dir,
    scratchDir: ctx.scratchDir,
  });
  if (run.code !== 0)
    throw new Error(`mirror of ${mib} MiB layers exited with ${run.code}:\n${run.stderr.slice(-4000)}`);
  const result = JSON.parse(run.stdout.toString('utf8'));
  if (result.imported.length !== TAGS.length) {
    throw new Error(`mirror of ${mib} MiB layers: ${result.imported.length} of ${TAGS.length} tags imported`);
  }
  await checkMirrored(ctx.local, `${namespace}/${stream}`);
  return {
    layerMib: mib,
    tags: TAGS.length,
    distinctLayers: IMAGES,
    bytesCopied: IMAGES * mib * MIB,
    wallSeconds: run.wallSeconds,
    peakRssKb: run.peakRssKb,
  };
}

async function checkMirrored(registry, repository) {
  const client = registryClient(registry, 1);
  try {
    for (const tag of TAGS) {
      const res = await client.send(repository, {
        method: 'HEAD',
        path: `/v2/${repository}/manifests/${tag.name}`,
        headers: { accept: MEDIA_TYPES.oci.manifest },
      });
      if (res.status !== 200) throw new Error(`the local registry has no ${repository}:${tag.name} (${res.status})`);
    }
  } finally {
    client.close();
  }
}

/** The mirror scenario once per layer size, in order; one row each. */
export async function measureMirrorLayers(ctx, log) {
  const rows = [];
  for (const mib of ctx.mirrorLayerMib) {
    log(`imagestreams mirror of ${TAGS.length} tags with ${mib} MiB layers (${IMAGES} distinct), 1 timed run`);
    rows.push(await measureLayerSize(ctx, mib));
  }
  return rows;
}
