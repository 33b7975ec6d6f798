import { type AnyCatalogTag, allCatalogTags, type Catalog } from '../core/catalog.js';
import { isDigest } from '../core/digest.js';
import { UsageError } from '../core/errors.js';
import { recordedTag } from '../core/state-lookup.js';
import type { State } from '../core/state-model.js';
import { compactTarget, type TagTarget, targetName } from '../core/tag-reference.js';

/** SOURCE of `tag`, with the kind oc gives it. */
export type TagSourceArgument =
  | { kind: 'DockerImage'; text: string }
  | { kind: 'ImageStreamTag'; text: string; stream: string; tag: string }
  | { kind: 'ImageStreamImage'; text: string; stream: string; digest: string };

/**
 * The kind of SOURCE as oc decides it: a registry host (or `oci:`) makes an image to import; otherwise `name@digest`
 * is an image of a stream, `name:tag` a tag of a stream, and a bare name an image. oc reads `ns/name:tag` as a tag
 * of a stream of another namespace; a catalog has no namespaces, so any `/` makes an image here.
 */
export function parseTagSource(text: string): TagSourceArgument {
  if (text.startsWith('oci:') || text.includes('/')) return { kind: 'DockerImage', text };
  const at = text.indexOf('@');
  if (at > 0) {
    const digest = text.slice(at + 1);
    if (!isDigest(digest)) throw new UsageError(`invalid SOURCE ${JSON.stringify(text)}: ${digest} is not a digest`);
    return { kind: 'ImageStreamImage', text, stream: text.slice(0, at), digest };
  }
  const colon = text.indexOf(':');
  if (colon > 0) return { kind: 'ImageStreamTag', text, stream: text.slice(0, colon), tag: text.slice(colon + 1) };
  return { kind: 'DockerImage', text };
}

/** What the destination's `from` becomes. */
export type ResolvedSource = { kind: 'DockerImage'; text: string } | { kind: 'reference'; target: TagTarget };

/**
 * SOURCE as the destinations get it. A tag of a stream is followed with `--alias` and otherwise snapshotted, as oc
 * does: the destinations get the image of the stream (`stream@sha256:…`) the tag has in the state.
 */
export function resolveTagSource(
  source: TagSourceArgument,
  alias: boolean,
  catalog: Catalog,
  state: State | null,
): ResolvedSource {
  if (source.kind === 'DockerImage') return source;
  const tags = allCatalogTags(catalog);
  checkStream(source, tags);
  if (source.kind === 'ImageStreamImage') {
    return { kind: 'reference', target: { kind: 'ImageStreamImage', stream: source.stream, digest: source.digest } };
  }
  if (!tags.some((t) => t.address === source.text)) {
    throw new UsageError(
      `SOURCE ${source.text}: the image stream "${source.stream}" has no tag "${source.tag}" (for an image of Docker Hub, write docker.io/library/${source.text})`,
    );
  }
  if (alias) return { kind: 'reference', target: { kind: 'ImageStreamTag', stream: source.stream, tag: source.tag } };
  const current = recordedTag(state, source.stream, source.tag)?.items[0];
  if (!current) {
    throw new UsageError(
      `${JSON.stringify(source.text)} is not currently pointing to an image, cannot use it as the source of a tag`,
    );
  }
  return { kind: 'reference', target: { kind: 'ImageStreamImage', stream: source.stream, digest: current.digest } };
}

function checkStream(source: { text: string; stream: string }, tags: AnyCatalogTag[]): void {
  if (tags.some((t) => t.stream === source.stream)) return;
  throw new UsageError(
    `SOURCE ${source.text}: the catalog has no image stream "${source.stream}" (for an image of Docker Hub, write docker.io/library/${source.text})`,
  );
}

/** The name oc compares with the destinations' streams for `--alias`: the stream, or an image's last path part. */
export function sourceStreamName(source: TagSourceArgument): string {
  if (source.kind !== 'DockerImage') return source.stream;
  const name = source.text.replace(/^oci:/, '').replace(/[@:][^/]*$/, '');
  return name.slice(name.lastIndexOf('/') + 1);
}

/** `from` as the catalog holds it for `dest`: compact when it reads back as the same reference, OpenShift's form else. */
export function writtenFrom(
  resolved: ResolvedSource,
  dest: string,
  catalog: Catalog,
): string | (readonly [string, string])[] {
  if (resolved.kind === 'DockerImage') return resolved.text;
  const name = targetName(resolved.target);
  const tags = allCatalogTags(catalog);
  const names = { streams: new Set(tags.map((t) => t.stream)), addresses: new Set(tags.map((t) => t.address)) };
  const read = compactTarget(name, names, dest);
  if (read && targetName(read) === name && read.kind === resolved.target.kind) return name;
  return [
    ['kind', resolved.target.kind],
    ['name', name],
  ];
}
