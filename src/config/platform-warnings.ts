import { quoted } from '../core/echoed-text.js';
import type { Platform } from '../core/platform.js';
import {
  ARCHITECTURE_ALIASES,
  isKnownArchitecture,
  isKnownOperatingSystem,
  KNOWN_ARCHITECTURES,
  KNOWN_OPERATING_SYSTEMS,
  OPERATING_SYSTEM_ALIASES,
} from '../core/platform-names.js';
import { closestWord } from './closest-word.js';
import { subjectOf } from './json-pointer.js';
import type { ProblemList } from './problems.js';

/**
 * Warns about an operating system or architecture Go does not know (`linux/amd65`): it parses, but no image will
 * ever have it, so the preference would silently never match.
 */
export function warnUnknownPlatform(
  platform: Pick<Platform, 'os'> | Pick<Platform, 'architecture'>,
  pointer: string,
  problems: ProblemList,
): void {
  if ('os' in platform && !isKnownOperatingSystem(platform.os)) {
    const hint = suggestion(platform.os, [...KNOWN_OPERATING_SYSTEMS, ...OPERATING_SYSTEM_ALIASES], 'linux or windows');
    problems.warn(pointer, `${subjectOf(pointer)}: unknown operating system ${quoted(platform.os)} ${hint}`);
  }
  if ('architecture' in platform && !isKnownArchitecture(platform.architecture)) {
    const candidates = [...KNOWN_ARCHITECTURES, ...ARCHITECTURE_ALIASES];
    const hint = suggestion(platform.architecture, candidates, 'amd64, arm64, ppc64le or s390x');
    problems.warn(pointer, `${subjectOf(pointer)}: unknown architecture ${quoted(platform.architecture)} ${hint}`);
  }
}

function suggestion(word: string, candidates: readonly string[], examples: string): string {
  const closest = closestWord(word, candidates);
  return closest ? `(did you mean ${quoted(closest)}?)` : `(not one Go knows, such as ${examples})`;
}
