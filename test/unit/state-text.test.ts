import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStateFile, type StateFileContent } from '../../src/state/state-text.js';
import { makeTempDir, removeTempDir } from '../helpers/cleanup.js';

/** What readState would parse: the document, or JSON.parse of the text (its error message when it throws). */
function parsed(content: StateFileContent): unknown {
  if ('document' in content) return content.document;
  try {
    return JSON.parse(content.text);
  } catch (error) {
    return (error as Error).message;
  }
}

/** A state-shaped document of `tags` tags, several 64 KiB chunks long once serialized. */
function largeState(tags: number): unknown {
  const digest = `sha256:${'a'.repeat(64)}`;
  const tag = { digest, items: [{ digest, platform: 'linux/amd64' }], note: 'ünïcode ✓ "quoted" \\ slash' };
  return {
    version: 1,
    streams: { app: { tags: Object.fromEntries(Array.from({ length: tags }, (_, i) => [`t${i}`, tag])) } },
  };
}

let dir: string;
let path: string;
beforeEach(() => {
  dir = makeTempDir('state-text-');
  path = join(dir, 'imagestreams.state.json');
});
afterEach(() => removeTempDir(dir));

describe('readStateFile', () => {
  it('reads a file up to the size limit whole, as text for JSON.parse', async () => {
    const text = `${JSON.stringify(largeState(3), null, 2)}\n`;
    await writeFile(path, text);
    expect(await readStateFile(path, Buffer.byteLength(text))).toEqual({ text });
  });

  it('parses a larger file a tag at a time, into what JSON.parse makes of it', async () => {
    const text = `${JSON.stringify(largeState(2000), null, 2)}\n`;
    await writeFile(path, text);
    expect(Buffer.byteLength(text)).toBeGreaterThan(4 * 64 * 1024);
    const piecewise = await readStateFile(path, Buffer.byteLength(text) - 1);
    expect(piecewise).toHaveProperty('document');
    expect(parsed(piecewise)).toEqual(JSON.parse(text));
  });

  it.each([
    ['cut short', '{"version": 1, "streams": {"app": {"tags": {"t0": {"digest": "sha'],
    ['a trailing comma', '{"version": 1, "streams": {},}'],
    ['a byte order mark', '\uFEFF{"version": 1, "streams": {}}'],
    ['not JSON at all', 'version: 1\nstreams: {}\n'],
  ])('hands a larger file with %s over as text, for JSON.parse to say where it goes wrong', async (_, text) => {
    await writeFile(path, text);
    const content = await readStateFile(path, 0);
    expect(content).toEqual({ text });
    expect(parsed(content)).toBe(parsed(await readStateFile(path)));
  });
});
