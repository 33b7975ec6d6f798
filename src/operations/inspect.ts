import { isAbsolute, resolve } from 'node:path';
import { parseImageSource } from '../core/reference.js';
import { type ImageRepositoriesOptions, imageRepositories } from '../engine/catalog-repositories.js';
import { type InspectResult, inspectImage } from '../registry/inspect.js';

export type { InspectResult };

export interface InspectRequest extends ImageRepositoriesOptions {
  /** A registry reference or `oci:PATH[:TAG|@DIGEST]`; a relative layout path is taken from `cwd`. */
  image: string;
  cwd: string;
  insecure?: boolean;
}

/** Resolves an image reference: its digest, media type and per-platform manifests. */
export async function inspectOperation(request: InspectRequest): Promise<InspectResult> {
  const source = parseImageSource(request.image);
  const located =
    source.transport === 'layout' && !isAbsolute(source.ref.path)
      ? { ...source, ref: { ...source.ref, path: resolve(request.cwd, source.ref.path) } }
      : source;
  const repositories = imageRepositories(request);
  try {
    const displayPath = source.transport === 'layout' ? source.ref.path : undefined;
    const repo = repositories.open(located, {
      insecure: request.insecure ?? false,
      ...(displayPath && { displayPath }),
    });
    return await inspectImage(repo, source);
  } finally {
    await repositories.close();
  }
}
