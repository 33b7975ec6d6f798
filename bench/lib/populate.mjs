import { forEachConcurrent, registryClient } from './http.mjs';

const CONCURRENCY = 16;

function check(res, expected, what) {
  if (res.status !== expected) {
    throw new Error(`${what}: registry answered ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  }
}

/**
 * Monolithic blob upload: POST to open an upload, PUT the bytes with their digest. `body` is a Buffer, or a
 * function returning a readable stream of `size` bytes (a layer streamed from disk).
 */
export async function pushBlob(client, repository, digest, body, size = body.length) {
  const opened = await client.send(repository, { method: 'POST', path: `/v2/${repository}/blobs/uploads/` });
  check(opened, 202, `opening an upload in ${repository}`);
  const location = new URL(opened.headers.location, client.origin);
  location.searchParams.set('digest', digest);
  const put = await client.send(repository, {
    method: 'PUT',
    path: `${location.pathname}${location.search}`,
    headers: { 'content-type': 'application/octet-stream', 'content-length': size },
    body: typeof body === 'function' ? body() : body,
  });
  check(put, 201, `uploading ${digest} to ${repository}`);
}

export async function pushManifest(client, repository, reference, manifest) {
  const res = await client.send(repository, {
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    headers: { 'content-type': manifest.mediaType, 'content-length': manifest.bytes.length },
    body: manifest.bytes,
  });
  check(res, 201, `pushing ${repository}:${reference}`);
}

/** Pushes every repository of the dataset straight to the registry: blobs, then child manifests, then tags. */
export async function populateRegistry(registry, dataset) {
  const client = registryClient(registry, CONCURRENCY);
  try {
    for (const repo of dataset.repositories) {
      const blobs = new Map(repo.images.flatMap((image) => [...image.blobs]));
      await forEachConcurrent([...blobs], CONCURRENCY, ([digest, bytes]) => pushBlob(client, repo.name, digest, bytes));
      const children = repo.images.flatMap((image) => image.children);
      await forEachConcurrent(children, CONCURRENCY, (m) => pushManifest(client, repo.name, m.digest, m));
      await forEachConcurrent(repo.tags, CONCURRENCY, (tag) =>
        pushManifest(client, repo.name, tag.name, tag.image.top),
      );
    }
  } finally {
    client.close();
  }
}
