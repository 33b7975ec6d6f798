/**
 * JSON with the keys of every object sorted (arrays keep their order), so that equal values always
 * serialise to equal text: reviewable diffs for the state file and stable checksums for journal lines.
 */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, sortKeysReplacer, indent);
}

function sortKeysReplacer(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
