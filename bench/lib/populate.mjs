import { forEachConcurrent, loopbackAgent, send } from './http.mjs';

const CONCURRENCY = 16;

function check(res, expected, what) {
  if (res.status !== expected) {
    throw new Error(`${what}: registry answered ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  }
}

/** Monolithic blob upload: POST to open an upload, PUT the bytes with their digest. */
async function pushBlob(agent, port, repository, digest, bytes) {
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
}

async function pushManifest(agent, port, repository, reference, manifest) {
  const res = await send(agent, port, {
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    headers: { 'content-type': manifest.mediaType, 'content-length': manifest.bytes.length },
    body: manifest.bytes,
  });
  check(res, 201, `pushing ${repository}:${reference}`);
}

/** Pushes every repository of the dataset straight to the registry: blobs, then child manifests, then tags. */
export async function populateRegistry(port, dataset) {
  const agent = loopbackAgent(CONCURRENCY);
  try {
    for (const repo of dataset.repositories) {
      const blobs = new Map(repo.images.flatMap((image) => [...image.blobs]));
      await forEachConcurrent([...blobs], CONCURRENCY, ([digest, bytes]) =>
        pushBlob(agent, port, repo.name, digest, bytes),
      );
      const children = repo.images.flatMap((image) => image.children);
      await forEachConcurrent(children, CONCURRENCY, (m) => pushManifest(agent, port, repo.name, m.digest, m));
      await forEachConcurrent(repo.tags, CONCURRENCY, (tag) =>
        pushManifest(agent, port, repo.name, tag.name, tag.image.top),
      );
    }
  } finally {
    agent.destroy();
  }
}
