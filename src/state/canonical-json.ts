/**
 * JSON with the keys of every object sorted (arrays keep their order), so that equal values always
 * serialise to equal text: reviewable diffs for the state file and stable checksums for journal lines.
 */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, sortKeysReplacer, indent);
}

/**
 * The text of `canonicalJson(value, indent)` in pieces: objects and arrays down to `depth` levels are written
 * member by member, so that a large document never has to exist as one string.
 */
export function* canonicalJsonChunks(value: unknown, indent: number, depth: number): Generator<string> {
  yield* chunksOf(value, indent, depth, '');
}

function* chunksOf(value: unknown, indent: number, depth: number, pad: string): Generator<string> {
  const members = depth > 0 ? membersOf(value) : undefined;
  if (!members || members.length === 0) {
    yield canonicalJson(value, indent).replaceAll('\n', `\n${pad}`);
    return;
  }
  const inner = pad + ' '.repeat(indent);
  const isArray = Array.isArray(value);
  yield isArray ? '[' : '{';
  for (const [i, [key, member]] of members.entries()) {
    yield `${i > 0 ? ',' : ''}\n${inner}${isArray ? '' : `${JSON.stringify(key)}: `}`;
    yield* chunksOf(member, indent, depth - 1, inner);
  }
  yield `\n${pad}${isArray ? ']' : '}'}`;
}

/** The members JSON.stringify would write, in canonical order; undefined for a value that is not a container. */
function membersOf(value: unknown): [string, unknown][] | undefined {
  if (value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return undefined;
  }
  // JSON.stringify writes null for an array item it cannot represent, and leaves such an object member out.
  if (Array.isArray(value)) return value.map((item, i) => [String(i), isWritable(item) ? item : null]);
  return sortedEntries(value).filter(([, member]) => isWritable(member));
}

function isWritable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

function sortedEntries(value: object): [string, unknown][] {
  return Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sortKeysReplacer(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(sortedEntries(value));
}
