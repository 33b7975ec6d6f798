import { Pool } from 'undici';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const CONNECTIONS = 8;

/** One pass of the no-op plan's requests: a HEAD per tag asking the registry to confirm the tag's digest. */
async function onePass(port, dataset) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS });
  let next = 0;
  const statuses = {};
  const worker = async () => {
    while (next < dataset.tags.length) {
      const tag = dataset.tags[next++];
      const headers = { accept: ACCEPT, 'if-none-match': `"${tag.image.top.digest}"` };
      const res = await pool.request({ method: 'HEAD', path: `/v2/${tag.repo.name}/manifests/${tag.name}`, headers });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    return { wallSeconds: (performance.now() - started) / 1000, statuses };
  } finally {
    await pool.close();
  }
}

/**
 * How fast the registry answers a no-op plan's requests whatever the client: the same conditional HEADs, sent
 * from the bench process over as many keep-alive connections as imagestreams uses, with nothing else to do. No
 * client plans faster here, so this bounds how many times faster than the skopeo loop a no-op plan can be.
 */
export async function measureRegistryFloor(port, dataset, repeat) {
  const runs = [];
  for (let i = 0; i < repeat; i++) runs.push(await onePass(port, dataset));
  const walls = runs.map((r) => r.wallSeconds).sort((a, b) => a - b);
  return {
    requests: dataset.tags.length,
    connections: CONNECTIONS,
    wallSeconds: walls[Math.floor((walls.length - 1) / 2)],
    wallSecondsRuns: runs.map((r) => r.wallSeconds),
    statuses: runs[0].statuses,
  };
}
