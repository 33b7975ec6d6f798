import { isAbsolute, relative, resolve, sep } from 'node:path';
import { formatImageSource, parseImageSource } from '../core/reference.js';

/**
 * A source given on the command line as the catalog must hold it: an `oci:` path relative to the working directory
 * becomes relative to the catalog's directory (where the catalog's paths are taken from); anything else is kept as
 * typed. Throws InvalidReferenceError for a source that does not parse.
 */
export function sourceAsWritten(text: string, cwd: string, catalogDir: string): string {
  const source = parseImageSource(text);
  if (source.transport !== 'layout' || isAbsolute(source.ref.path)) return text;
  const path = relative(catalogDir, resolve(cwd, source.ref.path)).split(sep).join('/') || '.';
  if (resolve(catalogDir, path) === resolve(catalogDir, source.ref.path)) return text;
  return formatImageSource({ transport: 'layout', ref: { ...source.ref, path } });
}

/** True when two sources name the same image: `alpine` and `docker.io/library/alpine:latest` do. */
export function sameSource(a: string, b: string, catalogDir: string): boolean {
  return canonical(a, catalogDir) === canonical(b, catalogDir);
}

function canonical(text: string, catalogDir: string): string {
  const source = parseImageSource(text);
  if (source.transport === 'layout') {
    return formatImageSource({
      transport: 'layout',
      ref: { ...source.ref, path: resolve(catalogDir, source.ref.path) },
    });
  }
  return formatImageSource(source);
}
