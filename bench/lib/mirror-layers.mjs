import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loopbackAgent, send } from './http.mjs';
import { digestOf, MEDIA_TYPES } from './images.mjs';
import { runCli } from './measure.mjs';

const MIB = 1024 * 1024;
const IMAGES = 2;
/** Tags of the layer dataset and the image each points at: the third one shares the first one's image. */
const TAGS = [
  { name: 'a', image: 0 },
  { name: 'b', image: 1 },
  { name: 'c', image: 0 },
];

function check(res, expected, what) {
  if (res.status !== expected) {
    throw new Error(`${what}: registry answered ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  }
}

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

/** Monolithic upload of the file at `path`, streamed from disk. */
async function pushFileBlob(agent, port, repository, path, blob) {
  const opened = await send(agent, port, { method: 'POST', path: `/v2/${repository}/blobs/uploads/` });
  check(opened, 202, `opening an upload in ${repository}`);
  const location = new URL(opened.headers.location, `http://127.0.0.1:${port}`);
  location.searchParams.set('digest', blob.digest);
  const status = await new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path: `${location.pathname}${location.search}`,
        headers: { 'content-type': 'application/octet-stream', 'content-length': blob.size },
        agent,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    createReadStream(path).on('error', reject).pipe(req);
  });
  if (status !== 201) throw new Error(`uploading ${blob.digest} to ${repository}: registry answered ${status}`);
}

async function pushBytes(agent, port, repository, bytes) {
  const digest = digestOf(bytes);
  const opened = await send(agent, port, { method: 'POST', path: `/v2/${repository}/blobs/uploads/` });
  check(opened, 202, `opening an upload in ${repository}`);
  const location = new URL(opened.headers.location, `http://127.0.0.1:${port}`);
  location.searchParams.set('digest', digest);
  const put = await send(agent, port, {
    method: 'PUT',
    path: `${location.pathname}${location.search}`,
    headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length },
    body: bytes,
  });
  check(put, 201, `uploading ${digest} to ${repository}`);
  return { digest, size: bytes.length };
}

/** One single-platform OCI image whose only layer is `mib` MiB, generated on disk and streamed to the registry. */
async function pushLayerImage(agent, port, repository, mib, scratch) {
  const path = join(scratch, `layer-${mib}-${Date.now()}`);
  try {
    const layer = writeRandomBlob(path, mib);
    await pushFileBlob(agent, port, repository, path, layer);
    const config = await pushBytes(
      agent,
      port,
      repository,
      Buffer.from(
        JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
      ),
    );
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
async function pushLayerDataset(port, repository, mib, scratch) {
  const agent = loopbackAgent(4);
  try {
    const manifests = [];
    for (let i = 0; i < IMAGES; i++) manifests.push(await pushLayerImage(agent, port, repository, mib, scratch));
    for (const tag of TAGS) {
      const bytes = manifests[tag.image];
      const res = await send(agent, port, {
        method: 'PUT',
        path: `/v2/${repository}/manifests/${tag.name}`,
        headers: { 'content-type': MEDIA_TYPES.oci.manifest, 'content-length': bytes.length },
        body: bytes,
      });
      check(res, 201, `pushing ${repository}:${tag.name}`);
    }
  } finally {
    agent.destroy();
  }
}

function layerCatalog(source, repository, stream, mirrorTo) {
  const tags = Object.fromEntries(
    TAGS.map((tag) => [tag.name, { from: `${source.host}/${repository}:${tag.name}`, referencePolicy: 'Local' }]),
  );
  return {
    apiVersion: 'imagestreams/v1',
    kind: 'Catalog',
    state: 'imagestreams.state.json',
    registries: { [source.host]: { insecure: true }, [mirrorTo.split('/')[0]]: { insecure: true } },
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
  await pushLayerDataset(ctx.source.port, repository, mib, ctx.layersDir);
  const catalogPath = join(dir, 'imagestreams.yaml');
  writeFileSync(catalogPath, stringify(layerCatalog(ctx.source, repository, stream, `${ctx.local.host}/${namespace}`)));
  const run = await runCli(ctx.cliPath, ['apply', '--auto-approve', '--json', '-f', catalogPath], {
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
  await checkMirrored(ctx.local.port, `${namespace}/${stream}`);
  return {
    layerMib: mib,
    tags: TAGS.length,
    distinctLayers: IMAGES,
    bytesCopied: IMAGES * mib * MIB,
    wallSeconds: run.wallSeconds,
    peakRssKb: run.peakRssKb,
  };
}

async function checkMirrored(port, repository) {
  const agent = loopbackAgent(1);
  try {
    for (const tag of TAGS) {
      const res = await send(agent, port, {
        method: 'HEAD',
        path: `/v2/${repository}/manifests/${tag.name}`,
        headers: { accept: MEDIA_TYPES.oci.manifest },
      });
      if (res.status !== 200) throw new Error(`the local registry has no ${repository}:${tag.name} (${res.status})`);
    }
  } finally {
    agent.destroy();
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
