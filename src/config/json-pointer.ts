import { clipped, escaped, quoted } from '../core/echoed-text.js';

/** JSON Pointers (RFC 6901), the form ajv uses for `instancePath`. */

const ESCAPED = /[~/]/;

export function childPointer(parent: string, key: string | number): string {
  const segment = String(key);
  if (!ESCAPED.test(segment)) return `${parent}/${segment}`;
  return `${parent}/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** `streams.demo.tags.1.0`: how a place in the catalog is named in messages, control characters escaped. */
export function displayPath(pointer: string): string {
  return escaped(pointerSegments(pointer).join('.'));
}

/** How messages name the value at `pointer`: `"scheduled" in streams.demo.tags.latest`, `"apiVersion"`, `the catalog`. */
export function subjectOf(pointer: string): string {
  const segments = pointerSegments(pointer);
  const leaf = segments.at(-1);
  if (leaf === undefined) return 'the catalog';
  const name = quoted(leaf);
  return segments.length === 1 ? name : `${name} in ${clipped(escaped(segments.slice(0, -1).join('.')))}`;
}

/** `in streams.demo.tags`, or `at the top level`. */
export function where(pointer: string): string {
  return pointer === '' ? 'at the top level' : `in ${displayPath(pointer)}`;
}
