import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tagPolicy } from './dataset.mjs';
import { digestOf } from './images.mjs';
import { withConnections } from './imagestreams-scenarios.mjs';
import { runMeasured } from './measure.mjs';

const ATTESTATION = 'attestation-manifest';

/** No user auth files or registries.conf: skopeo sees only the bench's registry, and the bench's `authFile`. */
export function skopeoEnvironment(baseEnv, dir, authFile) {
  writeFileSync(join(dir, 'registries.conf'), '');
  return {
    ...baseEnv,
    REGISTRY_AUTH_FILE: authFile,
    DOCKER_CONFIG: dir,
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
  };
}

/** `count` tags spread evenly over the dataset, so the sample has the dataset's mix. */
export function sampleTags(tags, count) {
  return Array.from({ length: count }, (_, i) => tags[Math.floor((i * tags.length) / count)]);
}

class SkopeoLoop {
  /** `access`: the flags that reach the registries, for `inspect` and for `copy` (see registry-mode.mjs). */
  constructor(env, access, host) {
    this.env = env;
    this.access = access;
    this.host = host;
    this.peakRssKb = 0;
    this.processes = 0;
  }

  async run(args) {
    const result = await runMeasured('skopeo', args, { env: this.env });
    this.processes++;
    this.peakRssKb = Math.max(this.peakRssKb, result.peakRssKb);
    if (result.code !== 0) throw new Error(`skopeo ${args.join(' ')} exited with ${result.code}:\n${result.stderr}`);
    return result.stdout;
  }

  inspectRaw(reference, ...flags) {
    return this.run(['inspect', '--raw', ...this.access.inspect, ...flags, `docker://${reference}`]);
  }

  source(tag) {
    return `${this.host}/${tag.repo.name}`;
  }
}

/** The children an import records: every image of a list for PreserveOriginal, the preferred one for Legacy. */
function recordedChildren(manifest, tag) {
  const images = manifest.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] !== ATTESTATION);
  const { importMode, preferPlatform = 'linux/amd64' } = tagPolicy(tag.index);
  if (importMode === 'PreserveOriginal') return images;
  const [os, architecture] = preferPlatform.split('/');
  return [images.find((m) => m.platform?.os === os && m.platform?.architecture === architecture) ?? images[0]];
}

/** Resolution: one `skopeo inspect --raw` per tag. */
async function inspectTag(loop, tag) {
  await loop.inspectRaw(`${loop.source(tag)}:${tag.name}`);
}

/**
 * What an import records, with skopeo: the tag's manifest (`inspect --raw`), then each recorded image manifest and
 * its config (`inspect --raw --config` by digest).
 */
async function importTag(loop, tag) {
  const bytes = await loop.inspectRaw(`${loop.source(tag)}:${tag.name}`);
  const manifest = JSON.parse(bytes.toString('utf8'));
  const digests = Array.isArray(manifest.manifests)
    ? recordedChildren(manifest, tag).map((m) => m.digest)
    : [digestOf(bytes)];
  for (const digest of digests)
    JSON.parse((await loop.inspectRaw(`${loop.source(tag)}@${digest}`, '--config')).toString());
}

/** Mirroring: `skopeo copy --all` of the tag into `<namespace>/<stream>` on the same registry. */
function mirrorTag(namespace) {
  return async (loop, tag) => {
    await loop.run([
      '--insecure-policy',
      'copy',
      '--all',
      '--quiet',
      ...loop.access.copy,
      `docker://${loop.source(tag)}:${tag.name}`,
      `docker://${loop.host}/${namespace}/${tag.repo.stream}:${tag.name}`,
    ]);
  };
}

/** Runs `perTag` over `sample` in sequence, as a shell loop would; wall seconds and peak RSS of every process. */
async function runLoop(ctx, host, sample, perTag) {
  const loop = new SkopeoLoop(ctx.skopeoEnv, ctx.skopeoAccess, host);
  const started = performance.now();
  for (const tag of sample) await perTag(loop, tag);
  return { loop, wallSeconds: (performance.now() - started) / 1000 };
}

function row(ctx, scenario, sample, timed, counts) {
  return {
    tool: 'skopeo',
    scenario,
    wallSeconds: (timed.wallSeconds * ctx.tags) / sample.length,
    measuredWallSeconds: timed.wallSeconds,
    ...(sample.length < ctx.tags ? { extrapolatedFrom: sample.length } : {}),
    peakRssKb: timed.loop.peakRssKb,
    ...(timed.connections ? { timedConnections: timed.connections } : {}),
    processes: timed.loop.processes,
    requests: counts.requests,
    requestsPerTag: counts.requests / sample.length,
    counts,
  };
}

/** A loop timed straight against the registry, then run again through the counting proxy for its requests. */
async function measureLoop(ctx, scenario, sample, perTag) {
  const timed = await withConnections(ctx, () => runLoop(ctx, ctx.direct.host, sample, perTag));
  ctx.proxy.reset();
  await runLoop(ctx, ctx.counted.host, sample, perTag);
  return row(ctx, scenario, sample, timed, ctx.proxy.counts());
}

/**
 * Copies are run once, through the counting proxy (at rtt > 0 through a delay proxy in front of it): a second copy into the same registry would find blobs already there
 * (or mount them), so it would not repeat the same work.
 */
async function measureMirror(ctx, sample) {
  ctx.proxy.reset();
  const { host, namespace, delayProxy } = ctx.skopeoMirror;
  delayProxy?.reset();
  const timed = await runLoop(ctx, host, sample, mirrorTag(namespace));
  if (delayProxy) timed.connections = { registry: delayProxy.connections() };
  return row(ctx, 'mirror', sample, timed, ctx.proxy.counts());
}

/** The skopeo rows, each a sequential per-tag loop over an evenly spread sample of the tags. */
export async function measureSkopeo(ctx, log) {
  const sample = sampleTags(ctx.dataset.tags, ctx.skopeoSample);
  log(`skopeo noop-plan: skopeo inspect --raw over ${sample.length} tags, timed + counted`);
  const rows = [await measureLoop(ctx, 'noop-plan', sample, inspectTag)];
  log(
    `skopeo import: inspect --raw, then --raw --config per recorded image, over ${sample.length} tags, timed + counted`,
  );
  rows.push(await measureLoop(ctx, 'import', sample, importTag));
  if (ctx.mirrorSample > 0) {
    const mirrorSample = sampleTags(ctx.dataset.tags, ctx.mirrorSample);
    log(`skopeo mirror: skopeo copy --all of ${mirrorSample.length} tags, through the counting proxy`);
    rows.push(await measureMirror(ctx, mirrorSample));
  }
  return rows;
}
