import { IMPORT_MODES } from '../core/catalog.js';
import type { StreamDiscovery } from '../core/discovery.js';
import { quoted } from '../core/echoed-text.js';
import type { ImageSourceReference } from '../core/reference.js';
import { discoverFiltersAt } from './discover-filters.js';
import { discoverPolicyAt } from './discover-policy.js';
import { positiveDurationAt } from './duration-at.js';
import { childPointer, displayPath, subjectOf } from './json-pointer.js';
import { tagPlatformPreference } from './platform-preference.js';
import type { ProblemList } from './problems.js';
import { booleanAt, enumAt, isRawMap, mapAt, mapEntries, numberAt, type RawMap, stringAt } from './raw-values.js';
import type { ResolveContext } from './resolve-context.js';
import { REFERENCE_POLICIES } from './resolve-defaults.js';
import { insecureFor, resolveSource, type TagEnvironment } from './resolve-tags.js';
import { checkTagSource } from './tag-source-checks.js';

/** Every stream's `discover`, in catalog order; a stream needs `tags`, `discover` or both. */
export function resolveDiscoveries(
  streams: RawMap | undefined,
  env: TagEnvironment,
  context: ResolveContext,
): StreamDiscovery[] {
  const { problems } = context;
  const discoveries: StreamDiscovery[] = [];
  for (const [stream, raw] of mapEntries(streams, '/streams', problems.source)) {
    const pointer = childPointer('/streams', stream);
    if (raw && raw.tags === undefined && raw.discover === undefined) {
      problems.add(pointer, `missing required key "tags" in ${displayPath(pointer)}`, 'key');
    }
    if (!isRawMap(raw?.discover)) continue;
    const discovery = resolveDiscovery(stream, mapAt(raw, 'discover'), env, context);
    if (discovery) discoveries.push(discovery);
  }
  return discoveries;
}

function resolveDiscovery(
  stream: string,
  raw: RawMap | undefined,
  env: TagEnvironment,
  context: ResolveContext,
): StreamDiscovery | undefined {
  const { problems } = context;
  const pointer = childPointer(childPointer('/streams', stream), 'discover');
  const from = stringAt(raw, 'from');
  const source = from === undefined ? undefined : repositoryAt(from, childPointer(pointer, 'from'), context);
  checkTagSource(raw, source, pointer, problems);
  const filters = discoverFiltersAt(raw, pointer, problems);
  const policy = discoverPolicyAt(raw, pointer, problems);
  const settings = tagSettingsAt(raw, pointer, env, problems);
  if (from === undefined || !source || !filters || !policy) return undefined;
  return {
    stream,
    source,
    from,
    ...filters,
    policy,
    keep: keepAt(raw),
    prune: booleanAt(raw, 'prune') ?? true,
    ...settings,
    insecure: insecureFor(source, booleanAt(raw, 'insecure'), env.registries),
    location: problems.locationOf(pointer),
  };
}

type TagSettings = Pick<
  StreamDiscovery,
  'importMode' | 'referencePolicy' | 'scheduled' | 'preferPlatform' | 'scheduleIntervalMs'
>;

/** The settings discovered tags get: their own in `discover`, else the catalog's defaults, as for tags written out. */
function tagSettingsAt(
  raw: RawMap | undefined,
  pointer: string,
  env: TagEnvironment,
  problems: ProblemList,
): TagSettings {
  const { defaults } = env;
  const referencePolicy = enumAt(raw, 'referencePolicy', REFERENCE_POLICIES);
  if (referencePolicy === 'Local' && env.localProblem) {
    problems.add(childPointer(pointer, 'referencePolicy'), env.localProblem);
  }
  return {
    importMode: enumAt(raw, 'importMode', IMPORT_MODES) ?? defaults.importMode,
    referencePolicy: referencePolicy ?? defaults.referencePolicy,
    scheduled: booleanAt(raw, 'scheduled') ?? defaults.scheduled,
    preferPlatform: tagPlatformPreference(raw, pointer, defaults.preferPlatform, problems),
    scheduleIntervalMs: positiveDurationAt(raw, 'scheduleInterval', pointer, problems) ?? defaults.scheduleIntervalMs,
  };
}

/** `keep`, a whole number of at least 1 (the schema reports others), 1 when absent. */
function keepAt(raw: RawMap | undefined): number {
  const keep = numberAt(raw, 'keep');
  return keep !== undefined && Number.isInteger(keep) && keep >= 1 ? keep : 1;
}

/** `from` of `discover`: a repository, which the tags listed are tags of; it names no tag or digest of its own. */
function repositoryAt(from: string, pointer: string, context: ResolveContext): ImageSourceReference | undefined {
  const written = writtenTagOrDigest(from);
  if (written) {
    context.problems.add(
      pointer,
      `${subjectOf(pointer)} must name a repository, without a ${written.kind} (${quoted(written.text)}): discover lists the repository's tags`,
    );
    return undefined;
  }
  const source = resolveSource(from, pointer, context);
  if (source?.transport === 'registry') {
    const { registry, repository } = source.ref;
    return { transport: 'registry', ref: { registry, repository } };
  }
  return source;
}

/** The tag or digest written at the end of a reference (`:16`, `@sha256:…`), which the parsed form cannot tell. */
function writtenTagOrDigest(from: string): { kind: 'tag' | 'digest'; text: string } | undefined {
  const at = from.lastIndexOf('@');
  if (at >= 0) return { kind: 'digest', text: from.slice(at) };
  const bare = from.startsWith('oci:') ? from.slice('oci:'.length) : from.replace(/^docker:\/\//, '');
  const colon = bare.lastIndexOf(':');
  if (colon < 0 || colon < bare.lastIndexOf('/')) return undefined;
  return { kind: 'tag', text: bare.slice(colon) };
}
