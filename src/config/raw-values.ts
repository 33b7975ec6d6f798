import type { SourceMap } from './source-map.js';

/**
 * Typed reads of the catalog's plain values. Semantic checks also run on a catalog that broke the schema (so that
 * every problem is reported at once), hence no read assumes a type: a value of the wrong type reads as undefined,
 * the schema having already said what is wrong with it.
 */
export type RawMap = Readonly<Record<string, unknown>>;

export function isRawMap(value: unknown): value is RawMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mapAt(map: RawMap | undefined, key: string): RawMap | undefined {
  const value = map?.[key];
  return isRawMap(value) ? value : undefined;
}

export function stringAt(map: RawMap | undefined, key: string): string | undefined {
  const value = map?.[key];
  return typeof value === 'string' ? value : undefined;
}

export function booleanAt(map: RawMap | undefined, key: string): boolean | undefined {
  const value = map?.[key];
  return typeof value === 'boolean' ? value : undefined;
}

export function numberAt(map: RawMap | undefined, key: string): number | undefined {
  const value = map?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** One of `allowed`, or undefined. */
export function enumAt<T extends string>(map: RawMap | undefined, key: string, allowed: readonly T[]): T | undefined {
  const value = map?.[key];
  return allowed.find((candidate) => candidate === value);
}

/** The entries of the mapping at `pointer`, in the order they were written, with mappings as values. */
export function mapEntries(
  map: RawMap | undefined,
  pointer: string,
  source: SourceMap,
): [string, RawMap | undefined][] {
  if (!map) return [];
  return source.keysOf(pointer, map).map((key) => [key, mapAt(map, key)]);
}

/** The entries of `map` whose values are strings (annotations, labels). */
export function stringEntries(map: RawMap | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(map ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
