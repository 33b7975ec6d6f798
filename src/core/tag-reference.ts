import { isDigest } from './digest.js';

/** OpenShift's kinds of `from` that name something of an image stream rather than a registry. */
export type ReferenceKind = 'ImageStreamTag' | 'ImageStreamImage';
export const REFERENCE_KINDS: readonly ReferenceKind[] = ['ImageStreamTag', 'ImageStreamImage'];

/** What a reference tag follows: another tag (`stream:tag`) or one image of a stream (`stream@sha256:…`). */
export type TagTarget =
  | { kind: 'ImageStreamTag'; stream: string; tag: string }
  | { kind: 'ImageStreamImage'; stream: string; digest: string };

const STREAM_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const TAG_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** `stream:tag` or `stream@sha256:…`: the name OpenShift gives the target, always with its stream. */
export function targetName(target: TagTarget): string {
  return target.kind === 'ImageStreamTag' ? `${target.stream}:${target.tag}` : `${target.stream}@${target.digest}`;
}

/** The `stream:tag` address a target tag has; undefined for an image of a stream. */
export function targetAddress(target: TagTarget): string | undefined {
  return target.kind === 'ImageStreamTag' ? targetName(target) : undefined;
}

/**
 * The `name` of an OpenShift `from` of kind ImageStreamTag (`stream:tag`, or `tag` for a tag of `ownStream`) or
 * ImageStreamImage (`stream@sha256:…`). Throws an Error whose message says what the name should look like.
 */
export function parseTargetName(kind: ReferenceKind, name: string, ownStream: string): TagTarget {
  if (kind === 'ImageStreamImage') {
    const at = name.indexOf('@');
    const stream = name.slice(0, at);
    const digest = name.slice(at + 1);
    if (at <= 0 || !validStream(stream) || !isDigest(digest)) {
      throw new Error(`an ImageStreamImage is named STREAM@sha256:<64 hex digits>, not ${JSON.stringify(name)}`);
    }
    return { kind, stream, digest };
  }
  const colon = name.indexOf(':');
  const stream = colon < 0 ? ownStream : name.slice(0, colon);
  const tag = name.slice(colon + 1);
  if (!validStream(stream) || !TAG_NAME.test(tag)) {
    throw new Error(
      `an ImageStreamTag is named STREAM:TAG (or TAG, for a tag of the same stream), not ${JSON.stringify(name)}`,
    );
  }
  return { kind, stream, tag };
}

/** The streams and tags written in a catalog, for telling its compact references from Docker references. */
export interface CatalogNames {
  streams: ReadonlySet<string>;
  /** Every `stream:tag`. */
  addresses: ReadonlySet<string>;
}

/**
 * The compact string form of a reference, written by the tag `own` (`stream:tag`): a `stream:tag` that is another
 * tag of the catalog, or a `stream@sha256:…` of another stream of the catalog; never with a `/`. Anything else is a
 * Docker reference, so `alpine:3.20` in the tag `alpine:3.20` (or `alpine@sha256:…` in a tag of the stream `alpine`)
 * stays Docker Hub's image. Undefined when `text` is not a compact reference.
 */
export function compactTarget(text: string, names: CatalogNames, own: string): TagTarget | undefined {
  if (text.includes('/')) return undefined;
  const at = text.indexOf('@');
  const colon = text.indexOf(':');
  const end = at >= 0 && (colon < 0 || at < colon) ? at : colon;
  const stream = text.slice(0, end);
  if (end <= 0 || !names.streams.has(stream)) return undefined;
  if (end === at) {
    if (own.startsWith(`${stream}:`)) return undefined;
    try {
      return parseTargetName('ImageStreamImage', text, stream);
    } catch {
      return undefined;
    }
  }
  if (text === own || !names.addresses.has(text)) return undefined;
  return { kind: 'ImageStreamTag', stream, tag: text.slice(end + 1) };
}

function validStream(stream: string): boolean {
  return stream.length <= 253 && STREAM_NAME.test(stream);
}

/**
 * The first cycle among `follows` (tag address → the tag address it follows), as the path that closes it:
 * `['a:1', 'b:2', 'a:1']`. Tags are visited in the order of the map.
 */
export function findCycle(follows: ReadonlyMap<string, string>): string[] | undefined {
  const done = new Set<string>();
  for (const start of follows.keys()) {
    const path: string[] = [];
    let at: string | undefined = start;
    while (at !== undefined && !done.has(at)) {
      const seen = path.indexOf(at);
      if (seen >= 0) return [...path.slice(seen), at];
      path.push(at);
      at = follows.get(at);
    }
    for (const address of path) done.add(address);
  }
  return undefined;
}

/** `a:1 → b:2 → a:1`. */
export function cyclePath(cycle: readonly string[]): string {
  return cycle.join(' → ');
}
