import type { RegistrySettings } from '../core/catalog.js';
import { keySpelling, parseCatalogRegistryKey, registryKeyProblem } from '../core/registry-key.js';
import { positiveDurationAt } from './duration-at.js';
import { childPointer } from './json-pointer.js';
import { booleanAt, mapAt, mapEntries, numberAt, type RawMap } from './raw-values.js';
import { existingFileAt, type ResolveContext } from './resolve-context.js';

/** `registries`, in catalog order, with paths made absolute; checks keys and that files exist. */
export function resolveRegistries(raw: RawMap | undefined, context: ResolveContext): RegistrySettings[] {
  const settings: RegistrySettings[] = [];
  const seen = new Map<string, string>();
  for (const [key, options] of mapEntries(raw, '/registries', context.problems.source)) {
    const pointer = childPointer('/registries', key);
    const problem = registryKeyProblem(key);
    if (problem !== undefined) {
      if (!context.problems.has(pointer)) context.problems.add(pointer, `registry key "${key}": ${problem}`, 'key');
    } else {
      reportSameRegistry(key, pointer, seen, context);
    }
    settings.push(resolveRegistry(key, options, pointer, context));
  }
  return settings;
}

function reportSameRegistry(key: string, pointer: string, seen: Map<string, string>, context: ResolveContext): void {
  const parsed = parseCatalogRegistryKey(key);
  if (!parsed) return;
  const normalized = keySpelling(parsed);
  const first = seen.get(normalized);
  if (first === undefined) {
    seen.set(normalized, key);
    return;
  }
  const line = context.problems.locationOf(childPointer('/registries', first)).line;
  context.problems.add(pointer, `registry key "${key}" names the same registry as "${first}" (line ${line})`, 'key');
}

function resolveRegistry(
  key: string,
  options: RawMap | undefined,
  pointer: string,
  context: ResolveContext,
): RegistrySettings {
  const registry: RegistrySettings = {
    key,
    insecure: booleanAt(options, 'insecure') ?? false,
    location: context.problems.locationOf(pointer),
  };
  const ca = existingFileAt(options, 'ca', pointer, context);
  const clientCert = existingFileAt(options, 'clientCert', pointer, context);
  const clientKey = existingFileAt(options, 'clientKey', pointer, context);
  const secret = existingFileAt(mapAt(options, 'auth'), 'secret', childPointer(pointer, 'auth'), context, true);
  const maxConcurrency = numberAt(options, 'maxConcurrency');
  const requestsPerSecond = numberAt(options, 'requestsPerSecond');
  if (ca) registry.ca = ca;
  if (clientCert) registry.clientCert = clientCert;
  if (clientKey) registry.clientKey = clientKey;
  if (maxConcurrency !== undefined) registry.maxConcurrency = maxConcurrency;
  if (requestsPerSecond !== undefined) registry.requestsPerSecond = requestsPerSecond;
  if (secret) registry.auth = { secret };
  const requestTimeoutMs = positiveDurationAt(options, 'requestTimeout', pointer, context.problems);
  const minBytesPerSecond = numberAt(options, 'minBytesPerSecond');
  if (requestTimeoutMs !== undefined) registry.requestTimeoutMs = requestTimeoutMs;
  if (minBytesPerSecond !== undefined) registry.minBytesPerSecond = minBytesPerSecond;
  return registry;
}
