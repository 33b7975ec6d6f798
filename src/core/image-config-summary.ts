import { printable } from './echoed-text.js';
import type { Descriptor } from './manifest.js';
import type { ImageMetadata } from './state-model.js';

/**
 * How much of an image config the state keeps. A config comes from a registry, so whatever it holds is cut to these
 * bounds before it is recorded: a hostile image cannot grow the state file or forge lines in `describe`.
 */
export const IMAGE_CONFIG_LIMITS = {
  /** Entries of one list or map (labels, environment, ports, volumes, command words). */
  entries: 100,
  /** Characters of one value (a label's value, an environment entry, a command word, the author). */
  valueChars: 1000,
  /** Characters of one label key. */
  keyChars: 256,
  /** Layers whose size and digest are listed. */
  layers: 256,
} as const;

/** The config as far as it is read; everything is checked, nothing trusted. */
interface ConfigDocument {
  created?: unknown;
  author?: unknown;
  config?: unknown;
}

/** The metadata of one image: its size and layers from the manifest, the rest from its config. */
export function summarizeImageConfig(config: ConfigDocument, layers: Descriptor[], configSize: number): ImageMetadata {
  const run = isObject(config.config) ? config.config : {};
  const metadata: ImageMetadata = {
    labels: boundedMap(run.Labels),
    layers: layers.length,
    size: configSize + layers.reduce((sum, layer) => sum + layer.size, 0),
    layerSizes: layers
      .slice(0, IMAGE_CONFIG_LIMITS.layers)
      .map((layer) => ({ digest: clean(layer.digest), size: layer.size })),
  };
  if (typeof config.created === 'string') metadata.created = clean(config.created);
  setText(metadata, 'author', config.author);
  setList(metadata, 'entrypoint', run.Entrypoint);
  setList(metadata, 'cmd', run.Cmd);
  setText(metadata, 'workingDir', run.WorkingDir);
  setText(metadata, 'user', run.User);
  setList(metadata, 'exposedPorts', keysOf(run.ExposedPorts));
  setList(metadata, 'env', run.Env);
  setList(metadata, 'volumes', keysOf(run.Volumes));
  return metadata;
}

type TextField = 'author' | 'workingDir' | 'user';
type ListField = 'entrypoint' | 'cmd' | 'exposedPorts' | 'env' | 'volumes';

function setText(metadata: ImageMetadata, field: TextField, value: unknown): void {
  if (typeof value === 'string' && value !== '') metadata[field] = clean(value);
}

function setList(metadata: ImageMetadata, field: ListField, value: unknown): void {
  if (!Array.isArray(value)) return;
  const strings = value.filter((v): v is string => typeof v === 'string');
  if (strings.length > 0) metadata[field] = strings.slice(0, IMAGE_CONFIG_LIMITS.entries).map((v) => clean(v));
}

/** The keys of a set written as a JSON object (`{"80/tcp": {}}`), sorted. */
function keysOf(value: unknown): string[] | undefined {
  return isObject(value) ? Object.keys(value).sort() : undefined;
}

function boundedMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const entries = Object.entries(value)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, IMAGE_CONFIG_LIMITS.entries);
  return Object.fromEntries(
    entries.map(([key, text]) => [clean(key, IMAGE_CONFIG_LIMITS.keyChars), clean(text)] as const),
  );
}

/** One line, no control characters, at most `limit` characters (and how long it was when cut). */
function clean(text: string, limit: number = IMAGE_CONFIG_LIMITS.valueChars): string {
  return printable(text, limit);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
