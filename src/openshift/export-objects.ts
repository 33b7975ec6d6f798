import {
  type AnyCatalogTag,
  allCatalogTags,
  type Catalog,
  type CatalogStream,
  type CatalogTag,
  isReferenceTag,
} from '../core/catalog.js';
import { recordedTag } from '../core/state-lookup.js';
import type { State } from '../core/state-model.js';
import {
  IMAGE_API_VERSION,
  type ImageStreamObject,
  type ObjectReference,
  type TagReference,
} from './image-stream-types.js';
import { preferenceAnnotations } from './prefer-annotations.js';

export interface ExportOptions {
  namespace?: string;
  /** Every tag by its source as written, pinned ones too (by default pinned tags go by the state's digest). */
  sourceTags?: boolean;
}

/** Something the export could not carry as the catalog says it, for the user to know. */
export interface ExportNote {
  address: string;
  message: string;
}

export interface ExportResult {
  objects: ImageStreamObject[];
  notes: ExportNote[];
}

/**
 * The catalog as ImageStreams, one a stream in catalog order. A pinned tag goes by the digest its source had when it
 * was applied (what the plan showed), a scheduled one by its source tag, so the cluster's importer follows it.
 */
export function exportImageStreams(catalog: Catalog, state: State | null, options: ExportOptions = {}): ExportResult {
  const notes: ExportNote[] = [];
  const objects = catalogStreams(catalog).map((stream) => {
    const tags = allCatalogTags(catalog).filter((t) => t.stream === stream.name);
    const specTags = tags.flatMap((tag) => tagReference(tag, state, options, notes) ?? []);
    return imageStream(stream, specTags, options.namespace);
  });
  return { objects, notes };
}

/** The catalog's streams; for a catalog built by hand, those its tags name. */
function catalogStreams(catalog: Catalog): CatalogStream[] {
  if (catalog.streams) return catalog.streams;
  const names = [...new Set(allCatalogTags(catalog).map((t) => t.stream))];
  return names.map((name) => ({
    name,
    labels: {},
    annotations: {},
    location: { file: catalog.displayPath, line: 1, column: 1 },
  }));
}

function imageStream(stream: CatalogStream, tags: TagReference[], namespace?: string): ImageStreamObject {
  const metadata: ImageStreamObject['metadata'] = { name: stream.name };
  if (namespace) metadata.namespace = namespace;
  if (Object.keys(stream.labels).length > 0) metadata.labels = stream.labels;
  if (Object.keys(stream.annotations).length > 0) metadata.annotations = stream.annotations;
  const spec: ImageStreamObject['spec'] = { tags };
  if (stream.lookupLocal !== undefined) spec.lookupPolicy = { local: stream.lookupLocal };
  return { apiVersion: IMAGE_API_VERSION, kind: 'ImageStream', metadata, spec };
}

function tagReference(
  tag: AnyCatalogTag,
  state: State | null,
  options: ExportOptions,
  notes: ExportNote[],
): TagReference | undefined {
  const from = isReferenceTag(tag)
    ? { kind: tag.target.kind, name: tag.writtenName ?? tag.spec.from }
    : exportedFrom(tag, state, options, notes);
  if (!from) return undefined;
  const reference: TagReference = { name: tag.tag };
  const annotations = { ...tag.annotations, ...preferenceAnnotations(tag.spec.preferPlatform, tag.annotations) };
  if (Object.keys(annotations).length > 0) reference.annotations = annotations;
  reference.from = from;
  reference.importPolicy = importPolicy(tag, from);
  reference.referencePolicy = { type: tag.spec.referencePolicy };
  return reference;
}

function importPolicy(tag: AnyCatalogTag, from: ObjectReference): NonNullable<TagReference['importPolicy']> {
  const policy: NonNullable<TagReference['importPolicy']> = { importMode: tag.spec.importMode };
  if (from.kind !== 'DockerImage') return policy;
  if (tag.spec.scheduled) policy.scheduled = true;
  if (tag.spec.insecure) policy.insecure = true;
  return policy;
}

/** Where the cluster imports the tag from; undefined (with a note) for a source a cluster cannot reach. */
function exportedFrom(
  tag: CatalogTag,
  state: State | null,
  options: ExportOptions,
  notes: ExportNote[],
): ObjectReference | undefined {
  const { source } = tag;
  if (source.transport === 'layout') {
    notes.push({ address: tag.address, message: 'left out: an image layout on disk cannot be imported by a cluster' });
    return undefined;
  }
  const written = { kind: 'DockerImage' as const, name: tag.spec.from };
  if (tag.spec.scheduled || options.sourceTags || source.ref.digest) return written;
  const applied = recordedTag(state, tag.stream, tag.tag)?.items[0];
  if (!applied) {
    notes.push({ address: tag.address, message: 'not applied yet: exported by its source tag, not by a digest' });
    return written;
  }
  return { kind: 'DockerImage', name: `${sourceRepository(tag)}@${applied.sourceDigest}` };
}

/** `registry/repository` of a registry source, as written (Docker Hub names keep their short form). */
function sourceRepository(tag: CatalogTag): string {
  const { from } = tag.spec;
  const at = from.indexOf('@');
  const withoutDigest = at < 0 ? from : from.slice(0, at);
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}
