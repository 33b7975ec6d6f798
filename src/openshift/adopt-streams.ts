import type { YamlEntries, YamlValue } from '../config/yaml-source-edit.js';
import type { CatalogDefaults } from '../core/catalog.js';
import { quoted } from '../core/echoed-text.js';
import { UsageError } from '../core/errors.js';
import type { AdoptNote } from './adopt-cleaning.js';
import { isObject } from './adopt-documents.js';
import type { TagReference } from './image-stream-types.js';

/** An image the cluster recorded for a tag (a TagEvent of `status.tags[].items`). */
export interface ClusterItem {
  created: string;
  image: string;
  dockerImageReference: string;
  generation: number;
}

/** A failed import the cluster recorded for a tag (a `status.tags[].conditions` entry). */
export interface ClusterCondition {
  reason: string;
  message: string;
  generation: number;
  lastTransitionTime: string;
}

/** A tag of an adopted stream: its catalog entries, and the cluster's history of it. */
export interface AdoptedTag {
  name: string;
  entries: YamlEntries;
  items: ClusterItem[];
  conditions: ClusterCondition[];
}

export interface AdoptedStream {
  name: string;
  /** The stream's settings (labels, annotations, lookup policy) as catalog entries, tags left out. */
  entries: YamlEntries;
  tags: AdoptedTag[];
}

const FROM_KINDS = ['DockerImage', 'ImageStreamTag', 'ImageStreamImage'];

/** A cleaned, strictly valid ImageStream as catalog entries; what the catalog cannot say goes to `notes`. */
export function adoptedStream(
  object: Record<string, unknown>,
  defaults: CatalogDefaults,
  where: string,
  notes: AdoptNote[],
): AdoptedStream {
  const metadata = object.metadata as { name?: string; labels?: object; annotations?: object };
  const name = metadata.name;
  if (!name) throw new UsageError(`${where}: an ImageStream without metadata.name`);
  const spec = (object.spec ?? {}) as {
    tags?: TagReference[];
    lookupPolicy?: { local: boolean };
    dockerImageRepository?: string;
  };
  if (spec.dockerImageRepository) {
    notes.push({
      stream: name,
      field: 'spec.dockerImageRepository',
      reason: 'deprecated in OpenShift; each tag names its own source',
    });
  }
  const entries: [string, YamlValue][] = [];
  if (metadata.labels && Object.keys(metadata.labels).length > 0) entries.push(['labels', stringMap(metadata.labels)]);
  if (metadata.annotations && Object.keys(metadata.annotations).length > 0) {
    entries.push(['annotations', stringMap(metadata.annotations)]);
  }
  if (spec.lookupPolicy?.local) entries.push(['lookupPolicy', [['local', true]]]);
  const history = statusTags(object.status);
  const tags = uniqueTags(spec.tags ?? [], name, where).flatMap((tag) => {
    const tagEntries = tagSettings(tag, name, defaults, notes);
    if (!tagEntries) return [];
    const recorded = history.get(tag.name);
    return [
      { name: tag.name, entries: tagEntries, items: recorded?.items ?? [], conditions: recorded?.conditions ?? [] },
    ];
  });
  return { name, entries, tags };
}

function uniqueTags(tags: TagReference[], stream: string, where: string): TagReference[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (seen.has(tag.name))
      throw new UsageError(
        `${where}: ImageStream ${quoted(stream)} has the tag ${quoted(tag.name)} twice in spec.tags`,
      );
    seen.add(tag.name);
  }
  return tags;
}

/** The tag's catalog entries; undefined (with a note) for a tag the catalog cannot import. */
function tagSettings(
  tag: TagReference,
  stream: string,
  defaults: CatalogDefaults,
  notes: AdoptNote[],
): YamlEntries | undefined {
  const field = `spec.tags[${quoted(tag.name)}]`;
  const from = tag.from;
  if (!from) {
    notes.push({ stream, field, reason: 'left out: a tag without "from" has nothing to import' });
    return undefined;
  }
  if (!FROM_KINDS.includes(from.kind)) {
    throw new UsageError(
      `ImageStream ${quoted(stream)}: ${field}.from.kind ${quoted(from.kind)}: expected DockerImage, ImageStreamTag or ImageStreamImage`,
    );
  }
  if (from.kind === 'DockerImage' && from.name.startsWith('oci:')) {
    throw new UsageError(
      `ImageStream ${quoted(stream)}: ${field}.from.name ${quoted(from.name, 80)}: a DockerImage is a registry reference`,
    );
  }
  if (from.namespace) {
    notes.push({
      stream,
      field: `${field}.from.namespace`,
      reason: 'left out: the catalog cannot refer to another namespace',
    });
    return undefined;
  }
  if ((tag as { reference?: boolean }).reference) {
    notes.push({ stream, field: `${field}.reference`, reason: 'not kept: the catalog imports every tag it lists' });
  }
  const entries: [string, YamlValue][] = [
    [
      'from',
      from.kind === 'DockerImage'
        ? from.name
        : [
            ['kind', from.kind],
            ['name', from.name],
          ],
    ],
  ];
  const policy = tag.importPolicy ?? {};
  const importMode = policy.importMode || 'Legacy';
  if (importMode !== defaults.importMode) entries.push(['importMode', importMode]);
  if (from.kind === 'DockerImage' && Boolean(policy.scheduled) !== defaults.scheduled) {
    entries.push(['scheduled', Boolean(policy.scheduled)]);
  }
  if (from.kind === 'DockerImage' && policy.insecure) entries.push(['insecure', true]);
  const referencePolicy = tag.referencePolicy?.type || 'Source';
  if (referencePolicy !== defaults.referencePolicy) entries.push(['referencePolicy', referencePolicy]);
  if (tag.annotations && Object.keys(tag.annotations).length > 0)
    entries.push(['annotations', stringMap(tag.annotations)]);
  return entries;
}

function stringMap(map: object): YamlEntries {
  return Object.entries(map).map(([key, value]) => [key, String(value)] as const);
}

interface StatusTag {
  items: ClusterItem[];
  conditions: ClusterCondition[];
}

function statusTags(status: unknown): Map<string, StatusTag> {
  const tags = isObject(status) && Array.isArray(status.tags) ? status.tags : [];
  const found = new Map<string, StatusTag>();
  for (const entry of tags) {
    if (!isObject(entry) || typeof entry.tag !== 'string') continue;
    const items = Array.isArray(entry.items) ? (entry.items as ClusterItem[]) : [];
    const conditions = Array.isArray(entry.conditions) ? failedImports(entry.conditions) : [];
    found.set(entry.tag, { items: items.filter((i) => i.image && i.created), conditions });
  }
  return found;
}

function failedImports(conditions: unknown[]): ClusterCondition[] {
  return conditions.flatMap((c) =>
    isObject(c) && c.type === 'ImportSuccess' && c.status === 'False'
      ? [
          {
            reason: String(c.reason ?? ''),
            message: String(c.message ?? ''),
            generation: Number(c.generation ?? 0),
            lastTransitionTime: String(c.lastTransitionTime ?? ''),
          },
        ]
      : [],
  );
}
