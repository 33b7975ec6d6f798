import {
  type CatalogNames,
  compactTarget,
  parseTargetName,
  type ReferenceKind,
  type TagTarget,
} from '../core/tag-reference.js';
import { childPointer } from './json-pointer.js';
import type { ProblemList } from './problems.js';
import { isRawMap, type RawMap, stringAt } from './raw-values.js';

/** A tag's `from`, read: an image to import, or a tag or image of a stream of the catalog to follow. */
export type TagFrom =
  /** `pointer` is where the reference or the target's name is written, for the problems found in it. */
  { kind: 'DockerImage'; text: string; pointer: string } | { kind: 'reference'; target: TagTarget; pointer: string };

/**
 * `from` as a string (a Docker reference or `oci:…`, unless it is a compact reference: see compactTarget) or as
 * OpenShift's mapping `{kind, name}`. Undefined when it is missing or malformed (the
 * schema or a problem added here says why).
 */
export function tagFromAt(
  raw: RawMap | undefined,
  tagPointer: string,
  own: { stream: string; tag: string },
  names: CatalogNames,
  problems: ProblemList,
): TagFrom | undefined {
  const value = raw?.from;
  const pointer = childPointer(tagPointer, 'from');
  if (typeof value === 'string') {
    const target = compactTarget(value, names, `${own.stream}:${own.tag}`);
    return target ? { kind: 'reference', target, pointer } : { kind: 'DockerImage', text: value, pointer };
  }
  if (!isRawMap(value)) return undefined;
  const kind = stringAt(value, 'kind');
  const name = stringAt(value, 'name');
  if (name === undefined || name === '') return undefined;
  const namePointer = childPointer(pointer, 'name');
  if (kind === 'DockerImage') return { kind: 'DockerImage', text: name, pointer: namePointer };
  if (kind !== 'ImageStreamTag' && kind !== 'ImageStreamImage') return undefined;
  try {
    return {
      kind: 'reference',
      target: parseTargetName(kind as ReferenceKind, name, own.stream),
      pointer: namePointer,
    };
  } catch (error) {
    problems.add(namePointer, (error as Error).message);
    return undefined;
  }
}
