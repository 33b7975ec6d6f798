import { resolve } from 'node:path';
import type { ReferenceTag } from '../core/catalog.js';
import {
  type CatalogDefaults,
  type CatalogTag,
  IMPORT_MODES,
  type RegistrySettings,
  type TagSpec,
} from '../core/catalog.js';
import { type ImageSourceReference, parseImageSource } from '../core/reference.js';
import { pathInCatalog } from './catalog-paths.js';
import { positiveDurationAt } from './duration-at.js';
import { childPointer } from './json-pointer.js';
import { tagPlatformPreference } from './platform-preference.js';
import { booleanAt, enumAt, mapAt, mapEntries, type RawMap, stringEntries } from './raw-values.js';
import { matchRegistrySettings } from './registry-key.js';
import type { ResolveContext } from './resolve-context.js';
import { REFERENCE_POLICIES } from './resolve-defaults.js';
import { type TagFrom, tagFromAt } from './resolve-from.js';
import { checkReferences, referenceTag } from './resolve-reference-tags.js';
import { checkTagSource } from './tag-source-checks.js';

/** What every tag is resolved against. */
export interface TagEnvironment {
  defaults: CatalogDefaults;
  registries: RegistrySettings[];
  /** Why `Local` tags cannot be mirrored, if they cannot. */
  localProblem: string | undefined;
}

/** The catalog's tags: those imported from a registry or layout, and those that follow another tag. */
export interface ResolvedTags {
  tags: CatalogTag[];
  references: ReferenceTag[];
}

/** Every tag of every stream, in catalog order, with defaults applied, sources parsed and references checked. */
export function resolveTags(streams: RawMap | undefined, env: TagEnvironment, context: ResolveContext): ResolvedTags {
  const resolved: ResolvedTags = { tags: [], references: [] };
  const { source } = context.problems;
  const entries = mapEntries(streams, '/streams', source).map(
    ([stream, spec]) => [stream, mapEntries(mapAt(spec, 'tags'), tagsPointerOf(stream), source)] as const,
  );
  const names = {
    streams: new Set(entries.map(([stream]) => stream)),
    addresses: new Set(entries.flatMap(([stream, tags]) => tags.map(([tag]) => `${stream}:${tag}`))),
  };
  const fromPointers = new Map<string, string>();
  for (const [stream, tags] of entries) {
    for (const [tag, raw] of tags) {
      const pointer = childPointer(tagsPointerOf(stream), tag);
      const from = tagFromAt(raw, pointer, { stream, tag }, names, context.problems);
      if (from?.kind === 'reference') {
        resolved.references.push(referenceTag({ stream, tag, raw, pointer }, from.target, env.defaults, context));
        fromPointers.set(`${stream}:${tag}`, from.pointer);
        continue;
      }
      const imported = resolveTag(stream, tag, raw, pointer, from, env, context);
      if (imported) resolved.tags.push(imported);
    }
  }
  checkReferences(resolved.references, { ...names, fromPointers }, context.problems);
  return resolved;
}

function tagsPointerOf(stream: string): string {
  return childPointer(childPointer('/streams', stream), 'tags');
}

function resolveTag(
  stream: string,
  tag: string,
  raw: RawMap | undefined,
  pointer: string,
  written: TagFrom | undefined,
  env: TagEnvironment,
  context: ResolveContext,
): CatalogTag | undefined {
  const { defaults } = env;
  const from = written?.kind === 'DockerImage' ? written.text : undefined;
  const source = written?.kind === 'DockerImage' ? resolveSource(written.text, written.pointer, context) : undefined;
  checkTagSource(raw, source, pointer, context.problems);
  const referencePolicy = enumAt(raw, 'referencePolicy', REFERENCE_POLICIES);
  if (referencePolicy === 'Local' && env.localProblem) {
    context.problems.add(childPointer(pointer, 'referencePolicy'), env.localProblem);
  }
  const preferPlatform = tagPlatformPreference(raw, pointer, defaults.preferPlatform, context.problems);
  const scheduleIntervalMs = positiveDurationAt(raw, 'scheduleInterval', pointer, context.problems);
  if (from === undefined || !source) return undefined;
  const spec: TagSpec = {
    from,
    importMode: enumAt(raw, 'importMode', IMPORT_MODES) ?? defaults.importMode,
    referencePolicy: referencePolicy ?? defaults.referencePolicy,
    scheduled: booleanAt(raw, 'scheduled') ?? defaults.scheduled,
    insecure: insecureFor(source, booleanAt(raw, 'insecure'), env.registries),
    preferPlatform,
  };
  return {
    address: `${stream}:${tag}`,
    stream,
    tag,
    spec,
    source,
    defaultPlatform: defaults.preferPlatform,
    scheduleIntervalMs: scheduleIntervalMs ?? defaults.scheduleIntervalMs,
    annotations: stringEntries(mapAt(raw, 'annotations')),
    location: context.problems.locationOf(pointer),
  };
}

/** The parsed `from`; an `oci:` path is made absolute from the catalog's directory and must lead inside it. */
export function resolveSource(
  from: string,
  pointer: string,
  context: ResolveContext,
): ImageSourceReference | undefined {
  if (context.problems.has(pointer)) return undefined;
  try {
    const source = parseImageSource(from);
    if (source.transport !== 'layout') return source;
    const path = resolve(context.dir, source.ref.path);
    if (pathInCatalog(path, pointer, context) === undefined) return undefined;
    return { transport: 'layout', ref: { ...source.ref, path } };
  } catch (error) {
    context.problems.add(pointer, (error as Error).message);
    return undefined;
  }
}

/** The tag's own `insecure`, else its registry's; an image layout on disk has no TLS to skip. */
export function insecureFor(
  source: ImageSourceReference,
  own: boolean | undefined,
  registries: RegistrySettings[],
): boolean {
  if (source.transport === 'layout') return false;
  return own ?? matchRegistrySettings({ registries }, source.ref.registry, source.ref.repository)?.insecure ?? false;
}
