/**
 * A registry reference split as written: the name (kept byte for byte, short Docker Hub names and a `docker://`
 * prefix included), the tag and the digest. `update` rewrites the tag and the digest and leaves the name as it was.
 */
export interface WrittenReference {
  name: string;
  tag?: string;
  digest?: string;
}

/** Splits a reference the grammar has already accepted: the digest after the last `@`, the tag after the last `:` of the path. */
export function splitWrittenReference(text: string): WrittenReference {
  const at = text.lastIndexOf('@');
  const digest = at < 0 ? undefined : text.slice(at + 1);
  const nameAndTag = at < 0 ? text : text.slice(0, at);
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > nameAndTag.lastIndexOf('/');
  const written: WrittenReference = { name: hasTag ? nameAndTag.slice(0, colon) : nameAndTag };
  if (hasTag) written.tag = nameAndTag.slice(colon + 1);
  if (digest !== undefined) written.digest = digest;
  return written;
}

export function formatWrittenReference(written: WrittenReference): string {
  return `${written.name}${written.tag === undefined ? '' : `:${written.tag}`}${written.digest === undefined ? '' : `@${written.digest}`}`;
}
