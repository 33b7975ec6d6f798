import { quoted } from '../core/echoed-text.js';
import { formatPlatform, type Platform, parsePlatformPreference } from '../core/platform.js';
import { childPointer } from './json-pointer.js';
import { warnUnknownPlatform } from './platform-warnings.js';
import type { ProblemList } from './problems.js';
import { mapAt, type RawMap, stringAt } from './raw-values.js';

export const PREFER_ARCH_ANNOTATION = 'importer.image.openshift.io/prefer-arch';
export const PREFER_OS_ANNOTATION = 'importer.image.openshift.io/prefer-os';

const OS = /^[A-Za-z0-9_-]+$/;
const ARCH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)?$/;

/**
 * A platform preference as recorded: normalised like parsePlatform, except that one written without a variant keeps
 * none (`linux/arm` matches every arm variant). Throws InvalidPlatformError.
 */
export function normalizePreference(text: string): string {
  return formatPlatform(parsePlatformPreference(text));
}

/** The platform at `map[key]`, parsed; undefined (with a problem reported) when it does not parse. */
export function platformAt(
  map: RawMap | undefined,
  key: string,
  pointer: string,
  problems: ProblemList,
): Platform | undefined {
  const text = stringAt(map, key);
  if (text === undefined) return undefined;
  const at = childPointer(pointer, key);
  let platform: Platform;
  try {
    platform = parsePlatformPreference(text);
  } catch (error) {
    if (!problems.has(at)) problems.add(at, (error as Error).message);
    return undefined;
  }
  warnUnknownPlatform(platform, at, problems);
  return platform;
}

/**
 * A tag's own preferred platform, normalised: its `preferPlatform`, else what the OpenShift annotations say
 * (prefer-os defaulting to linux, prefer-arch to the catalog default's architecture); null when it states none.
 * Annotations that disagree with an explicit preferPlatform are reported.
 */
export function tagPlatformPreference(
  tag: RawMap | undefined,
  tagPointer: string,
  defaultPlatform: string,
  problems: ProblemList,
): string | null {
  const explicit = platformAt(tag, 'preferPlatform', tagPointer, problems);
  const annotationsPointer = childPointer(tagPointer, 'annotations');
  const annotations = mapAt(tag, 'annotations');
  const arch = annotatedArchitecture(annotations, annotationsPointer, problems);
  const os = annotatedOs(annotations, annotationsPointer, problems);
  if (explicit) {
    reportConflicts(explicit, { arch, os }, annotationsPointer, problems);
    return formatPlatform(explicit);
  }
  if (!arch && !os) return null;
  const preferred: Platform = {
    os: os?.os ?? 'linux',
    architecture: arch?.platform.architecture ?? parsePlatformPreference(defaultPlatform).architecture,
  };
  if (arch?.platform.variant) preferred.variant = arch.platform.variant;
  return formatPlatform(preferred);
}

interface ArchAnnotation {
  text: string;
  platform: Platform;
}

interface OsAnnotation {
  text: string;
  os: string;
}

function annotatedArchitecture(
  annotations: RawMap | undefined,
  pointer: string,
  problems: ProblemList,
): ArchAnnotation | undefined {
  const text = stringAt(annotations, PREFER_ARCH_ANNOTATION);
  if (text === undefined) return undefined;
  const at = childPointer(pointer, PREFER_ARCH_ANNOTATION);
  const platform = ARCH.test(text) ? tryParse(`linux/${text}`) : undefined;
  if (!platform) {
    const message = `invalid ${PREFER_ARCH_ANNOTATION} annotation ${quoted(text)}: expected an architecture such as amd64, arm64 or arm/v7`;
    problems.add(at, message);
    return undefined;
  }
  warnUnknownPlatform({ architecture: platform.architecture }, at, problems);
  return { text, platform };
}

function annotatedOs(
  annotations: RawMap | undefined,
  pointer: string,
  problems: ProblemList,
): OsAnnotation | undefined {
  const text = stringAt(annotations, PREFER_OS_ANNOTATION);
  if (text === undefined) return undefined;
  const at = childPointer(pointer, PREFER_OS_ANNOTATION);
  const platform = OS.test(text) ? tryParse(`${text}/amd64`) : undefined;
  if (!platform) {
    const message = `invalid ${PREFER_OS_ANNOTATION} annotation ${quoted(text)}: expected an operating system such as linux or windows`;
    problems.add(at, message);
    return undefined;
  }
  warnUnknownPlatform({ os: platform.os }, at, problems);
  return { text, os: platform.os };
}

function reportConflicts(
  explicit: Platform,
  annotated: { arch: ArchAnnotation | undefined; os: OsAnnotation | undefined },
  pointer: string,
  problems: ProblemList,
): void {
  const { arch, os } = annotated;
  const preferred = formatPlatform(explicit);
  const archAgrees =
    arch?.platform.architecture === explicit.architecture &&
    (arch.platform.variant === undefined || arch.platform.variant === explicit.variant);
  if (arch && !archAgrees) {
    const message = `annotation ${PREFER_ARCH_ANNOTATION}: ${arch.text} conflicts with preferPlatform ${preferred}; keep only one of them`;
    problems.add(childPointer(pointer, PREFER_ARCH_ANNOTATION), message);
  }
  if (os && os.os !== explicit.os) {
    const message = `annotation ${PREFER_OS_ANNOTATION}: ${os.text} conflicts with preferPlatform ${preferred}; keep only one of them`;
    problems.add(childPointer(pointer, PREFER_OS_ANNOTATION), message);
  }
}

function tryParse(text: string): Platform | undefined {
  try {
    return parsePlatformPreference(text);
  } catch {
    return undefined;
  }
}
