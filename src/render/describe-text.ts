import { allCatalogTags, type Catalog, type TagSpec } from '../core/catalog.js';
import { durationText } from '../core/duration-text.js';
import { isIndexMediaType } from '../core/media-types.js';
import { specEquals } from '../core/planner.js';
import { recordedStream, recordedTag } from '../core/state-lookup.js';
import type { LegacyRule, ManifestEntry, State, TagCondition, TagItem } from '../core/state-model.js';
import { countOf } from './plan-words.js';

/** A tag as `describe` shows it: what the catalog declares and what the state recorded. */
export interface DescribedTag {
  address: string;
  stream: string;
  tag: string;
  /** False for a tag removed from the catalog that the state holds until the next apply. */
  inCatalog: boolean;
  /** The spec the catalog declares; for a tag no longer in the catalog, the one it was imported with. */
  spec: TagSpec;
  /** The spec of the last import; null before the first. */
  importedSpec: TagSpec | null;
  /** How often `watch` checks a scheduled tag, in milliseconds; null for a tag no longer in the catalog. */
  scheduleIntervalMs: number | null;
  /** Newest first. */
  items: TagItem[];
  conditions: TagCondition[];
}

export interface DescribedStream {
  name: string;
  /** The catalog file, as shown to the user. */
  catalog: string;
  /** The catalog's tags in catalog order, then those only the state still holds. */
  tags: DescribedTag[];
}

export interface DescribeTextOptions {
  now: Date;
  /** List attestation manifests instead of counting them. */
  attestations: boolean;
  /** An item a dry run shows as it would be imported: it has no import time or generation yet. */
  notImported?: TagItem;
}

const NOT_IMPORTED = '(dry run: not imported)';

/** The stream as the catalog and the state know it; undefined when neither has it. */
export function describeStream(catalog: Catalog, state: State, stream: string): DescribedStream | undefined {
  const recorded = recordedStream(state, stream)?.tags ?? {};
  const tags: DescribedTag[] = allCatalogTags(catalog)
    .filter((t) => t.stream === stream)
    .map((t) => {
      const imported = recordedTag(state, stream, t.tag);
      return {
        address: t.address,
        stream,
        tag: t.tag,
        inCatalog: true,
        spec: t.spec,
        importedSpec: imported?.spec ?? null,
        scheduleIntervalMs: t.scheduleIntervalMs,
        items: imported?.items ?? [],
        conditions: imported?.conditions ?? [],
      };
    });
  for (const name of Object.keys(recorded).sort()) {
    if (tags.some((t) => t.tag === name)) continue;
    const tagState = recorded[name]!;
    tags.push({
      address: `${stream}:${name}`,
      stream,
      tag: name,
      inCatalog: false,
      spec: tagState.spec,
      importedSpec: tagState.spec,
      scheduleIntervalMs: null,
      items: tagState.items,
      conditions: tagState.conditions,
    });
  }
  if (tags.length === 0) return undefined;
  return { name: stream, catalog: catalog.displayPath, tags };
}

/** `describe STREAM`: the stream summary, then the current image of each tag. */
export function renderStreamDescription(stream: DescribedStream, options: DescribeTextOptions): string {
  const images = stream.tags.filter((t) => t.items[0]).map((t) => renderImage(t, options));
  return [renderStreamSummary(stream, options), ...images].join('\n');
}

/** `describe STREAM:TAG`: the tag, then its current image. */
export function renderTagDescription(tag: DescribedTag, options: DescribeTextOptions): string {
  const image = tag.items[0] ? `\n${renderImage(tag, options)}` : '';
  return `${tagSection(tag, options).join('\n')}\n${image}`;
}

/** In the manner of `oc describe is`: name, counts, then each tag with its source, policy and history. */
export function renderStreamSummary(stream: DescribedStream, options: DescribeTextOptions): string {
  const unique = new Set(stream.tags.flatMap((t) => t.items.map((i) => i.digest))).size;
  const header = fields([
    ['Name', stream.name],
    ['Catalog', stream.catalog],
    ['Unique Images', String(unique)],
    ['Tags', stream.tags.length === 0 ? '<none>' : String(stream.tags.length)],
  ]);
  const sections = stream.tags.map((t) => tagSection(t, options).join('\n'));
  return `${[header.join('\n'), ...sections].join('\n\n')}\n`;
}

/** In the manner of `oc describe istag`: the tag's current image, with its metadata and manifests. */
export function renderImage(tag: DescribedTag, options: DescribeTextOptions): string {
  const item = tag.items[0];
  if (!item) return `${tag.address} has no image yet.\n`;
  const list = isIndexMediaType(item.mediaType);
  const images = item.manifests.filter((m) => !m.attestation && m.image);
  const rows: [string, string][] = [
    ['Image Name', tag.address],
    ['Docker Image', item.dockerImageReference],
    ...(item.sourceImageReference ? [['Source Image', item.sourceImageReference] as [string, string]] : []),
    ['Name', item.digest],
    ['Media Type', item.mediaType],
    [
      'Imported',
      item === options.notImported ? NOT_IMPORTED : `${ago(item.created, options.now)} (generation ${item.generation})`,
    ],
  ];
  if (images.length > 0) rows.push(...metadataRows(images, list, options.now));
  rows.push(['Arch', list ? '<none>' : architecture(item.manifests[0]?.platform)]);
  rows.push(['Manifests', manifestLines(item.manifests, options.attestations).join('\n')]);
  return `${fields(rows).join('\n')}\n`;
}

function tagSection(tag: DescribedTag, options: DescribeTextOptions): string[] {
  const { spec } = tag;
  const lines = [tag.tag];
  lines.push(
    spec.scheduled
      ? `  updates automatically from ${registryWord(spec.from)}${spec.from}`
      : `  tagged from ${spec.from}`,
  );
  if (spec.insecure) lines.push('    will use insecure HTTPS or HTTP connections');
  if (!tag.inCatalog) lines.push('  removed from the catalog: the next apply forgets it');
  const policy: [string, string][] = [
    ['Import Mode', importModeText(spec, tag.items[0])],
    ['Scheduled', scheduledText(tag)],
    ['Reference Policy', spec.referencePolicy],
  ];
  if (spec.preferPlatform) policy.push(['Prefer Platform', spec.preferPlatform]);
  lines.push(...fields(policy, '  '));
  lines.push(...statusLines(tag));
  const history = historyLines(tag, options);
  if (history.length > 0) lines.push('', ...history);
  return lines;
}

/** oc says `from registry X`; an image layout on disk is no registry. */
function registryWord(from: string): string {
  return from.startsWith('oci:') ? '' : 'registry ';
}

function statusLines(tag: DescribedTag): string[] {
  if (!tag.inCatalog) return [];
  if (tag.importedSpec && tag.items.length > 0 && !specEquals(tag.importedSpec, tag.spec)) {
    return ['  ~ the catalog changed since the last import: apply re-imports it'];
  }
  if (tag.items.length === 0 && tag.conditions.length === 0) return ['  not imported yet: run apply or import-image'];
  return [];
}

function historyLines(tag: DescribedTag, { now, notImported }: DescribeTextOptions): string[] {
  const lines: string[] = [];
  for (const condition of tag.conditions) {
    lines.push(`  ! error: Import failed (${condition.reason}): ${condition.message}`);
    lines.push(`      ${ago(condition.lastTransitionTime, now)}`);
  }
  tag.items.forEach((item, index) => {
    lines.push(`  ${index === 0 ? '*' : ' '} ${item.dockerImageReference}`);
    lines.push(`      ${item === notImported ? NOT_IMPORTED : ago(item.created, now)}`);
  });
  return lines;
}

const RULE_WORDS: Record<LegacyRule, string> = {
  'tag preference': 'by tag preference',
  'default platform': 'by default platform',
  'linux/amd64': 'by linux/amd64 fallback',
  'first child': 'as first child',
  'single manifest': 'single manifest',
};

function importModeText(spec: TagSpec, current: TagItem | undefined): string {
  if (spec.importMode !== 'Legacy' || !current?.selectedBy) return spec.importMode;
  if (current.selectedBy === 'single manifest') return 'Legacy (single-platform image)';
  return `Legacy (${current.manifests[0]?.platform ?? 'one platform'} ${RULE_WORDS[current.selectedBy]})`;
}

function scheduledText(tag: DescribedTag): string {
  if (!tag.spec.scheduled) return 'no (pinned: upstream moves are reported as drift)';
  return tag.scheduleIntervalMs === null
    ? 'yes'
    : `yes (checked every ${durationText(tag.scheduleIntervalMs, { round: 'nearest' })})`;
}

function metadataRows(images: ManifestEntry[], list: boolean, now: Date): [string, string][] {
  const created = images.map((m) => m.image!.created).filter((c): c is string => c !== undefined);
  const newest = created.sort().at(-1);
  const size = images.reduce((sum, m) => sum + m.image!.size, 0);
  const rows: [string, string][] = [];
  if (newest) rows.push(['Image Created', `${ago(newest, now)} (${newest})`]);
  rows.push([
    'Image Size',
    list
      ? `${humanSize(size)} in ${countOf(images.length, 'image')}`
      : `${humanSize(size)} in ${countOf(images[0]!.image!.layers, 'layer')}`,
  ]);
  rows.push(['Labels', labelLines(commonLabels(images)).join('\n')]);
  return rows;
}

/** The labels every image of the item has with the same value (all of them for a single image). */
function commonLabels(images: ManifestEntry[]): Record<string, string> {
  const [first, ...rest] = images.map((m) => m.image!.labels);
  return Object.fromEntries(
    Object.entries(first ?? {}).filter(([key, value]) => rest.every((labels) => labels[key] === value)),
  );
}

function labelLines(labels: Record<string, string>): string[] {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? ['<none>'] : keys.map((key) => `${key}=${labels[key]}`);
}

/** `os/arch[/variant]  digest` lines; attestations listed when asked for, else counted. */
export function manifestLines(manifests: ManifestEntry[], attestations: boolean): string[] {
  const shown = manifests.filter((m) => attestations || !m.attestation);
  const width = Math.max(0, ...shown.map((m) => m.platform.length));
  const lines = shown.map((m) => `${m.platform.padEnd(width)}  ${m.digest}${m.attestation ? '  (attestation)' : ''}`);
  const hidden = manifests.length - shown.length;
  if (hidden > 0) lines.push(`(${countOf(hidden, 'attestation manifest')} not listed: --show-attestations)`);
  return lines;
}

/** `amd64`, `arm/v7`: the architecture and variant of `os/arch[/variant][:osversion]`. */
function architecture(platform: string | undefined): string {
  if (!platform) return '<none>';
  return platform.split(':')[0]!.split('/').slice(1).join('/') || '<none>';
}

/** `Label:  value` rows with the values lined up; a value of several lines continues under the first. */
function fields(rows: [string, string][], indent = ''): string[] {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.flatMap(([label, value]) => {
    const [first, ...more] = (value === '' ? '<none>' : value).split('\n');
    const pad = ' '.repeat(indent.length + width);
    return [`${indent}${`${label}:`.padEnd(width)}${first}`, ...more.map((line) => `${pad}${line}`)];
  });
}

/** `2 minutes ago`, as docker and oc say it. */
export function ago(time: string, now: Date): string {
  return `${humanDuration(now.getTime() - Date.parse(time))} ago`;
}

/** docker's units.HumanDuration: `Less than a second`, `About a minute`, `3 hours`, `2 weeks`. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(milliseconds / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(milliseconds / 3_600_000 / 24 / 365)} years`;
}

/** docker's units.HumanSize: decimal units, four significant digits (`623B`, `1.234kB`, `12.35MB`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < units.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${Number(size.toPrecision(4))}${units[unit]}`;
}
