import { openRegularFile, readRegularFile } from '../files/regular-file.js';
import { JsonPieces, NotPiecewise } from './json-pieces.js';

/** Bytes read at a time. */
const CHUNK_BYTES = 64 * 1024;
/** state → streams → stream → tags: each tag is parsed on its own. */
const STATE_CUT_DEPTH = 4;

/** A state file as read: its parsed JSON, or its whole text when that is not well-formed JSON. */
export type StateFileContent = { document: unknown } | { text: string };

/**
 * Reads the state file at `path` a chunk at a time and parses it a tag at a time, so that a state of 10,000 tags
 * never exists as one 30 MB string beside its bytes. A file that is not well-formed JSON is read again whole, for
 * JSON.parse to say exactly where it goes wrong.
 */
export async function readStateFile(path: string): Promise<StateFileContent> {
  const { handle } = await openRegularFile(path);
  const parser = new JsonPieces(STATE_CUT_DEPTH);
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length);
      if (bytesRead === 0) break;
      parser.write(buffer.subarray(0, bytesRead));
    }
    return { document: parser.end() };
  } catch (error) {
    if (!(error instanceof NotPiecewise)) throw error;
  } finally {
    await handle.close();
  }
  return { text: (await readRegularFile(path)).toString('utf8') };
}
