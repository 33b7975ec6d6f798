import type { ImageSourceReference } from '../core/reference.js';
import { childPointer, subjectOf } from './json-pointer.js';
import type { ProblemList } from './problems.js';
import { booleanAt, type RawMap } from './raw-values.js';

/**
 * Settings of a tag that cannot apply to its source: `insecure: true` on an `oci:` image layout, read from disk,
 * has no TLS to skip and would only suggest a protection is off when none is involved.
 */
export function checkTagSource(
  raw: RawMap | undefined,
  source: ImageSourceReference | undefined,
  pointer: string,
  problems: ProblemList,
): void {
  if (source?.transport !== 'layout' || booleanAt(raw, 'insecure') !== true) return;
  const at = childPointer(pointer, 'insecure');
  if (problems.has(at)) return;
  problems.add(
    at,
    `${subjectOf(at)}: insecure: true does not apply to an oci: source (an image layout on disk has no TLS to skip); remove it`,
  );
}
