import type { TagSpec } from '../core/catalog.js';

/** A line of two specs shown side by side: `-` old value, `+` new value, ` ` the same in both. */
export interface SpecLine {
  sign: '-' | '+' | ' ';
  /** `key: value`. */
  text: string;
}

const SPEC_KEYS: (keyof TagSpec)[] = [
  'from',
  'importMode',
  'referencePolicy',
  'scheduled',
  'insecure',
  'preferPlatform',
];

/** The specs key by key; a run of changed keys lists their old values, then their new ones. */
export function specLines(before: TagSpec, after: TagSpec): SpecLine[] {
  const lines: SpecLine[] = [];
  let removed: SpecLine[] = [];
  let added: SpecLine[] = [];
  for (const key of SPEC_KEYS) {
    const old = specLine(before, key);
    const next = specLine(after, key);
    if (old === next) {
      lines.push(...removed, ...added, { sign: ' ', text: next });
      removed = [];
      added = [];
    } else {
      removed.push({ sign: '-', text: old });
      added.push({ sign: '+', text: next });
    }
  }
  return [...lines, ...removed, ...added];
}

/** `- key: old`, `+ key: new` or `  key: same`. */
export function specLineText(line: SpecLine): string {
  return `${line.sign} ${line.text}`;
}

function specLine(spec: TagSpec, key: keyof TagSpec): string {
  return `${key}: ${spec[key] ?? 'null'}`;
}
