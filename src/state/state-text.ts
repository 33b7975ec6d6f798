import { openRegularFile, readRegularFile } from '../files/regular-file.js';
import { JsonPieces, NotPiecewise } from './json-pieces.js';

/** Bytes read at a time. */
const CHUNK_BYTES = 64 * 1024;
/** state → streams → stream → tags: each tag is parsed on its own. */
const STATE_CUT_DEPTH = 4;
/**
 * Largest state file parsed whole by JSON.parse (some 2,500 tags). JSON.parse is several times faster than the
 * piecewise reader, which only pays for itself in memory once the file's text would be tens of megabytes.
 */
export const WHOLE_STATE_BYTES = 8 * 1024 * 1024;

/** A state file as read: its parsed JSON, or its whole text for JSON.parse. */
export type StateFileContent = { document: unknown } | { text: string };

/**
 * Reads the state file at `path`. Up to `wholeBytes` it is read whole, as text. A larger one is read a chunk at a
 * time and parsed a tag at a time, so that a state of 10,000 tags never exists as one 30 MB string beside its
 * bytes; if it is not well-formed JSON it is read again whole, for JSON.parse to say exactly where it goes wrong.
 */
export async function readStateFile(path: string, wholeBytes = WHOLE_STATE_BYTES): Promise<StateFileContent> {
  const { handle, size } = await openRegularFile(path);
  try {
    if (size <= wholeBytes) return { text: (await handle.readFile()).toString('utf8') };
    return { document: await readPiecewise(handle) };
  } catch (error) {
    if (!(error instanceof NotPiecewise)) throw error;
  } finally {
    await handle.close();
  }
  return { text: (await readRegularFile(path)).toString('utf8') };
}

async function readPiecewise(handle: Awaited<ReturnType<typeof openRegularFile>>['handle']): Promise<unknown> {
  const parser = new JsonPieces(STATE_CUT_DEPTH);
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length);
    if (bytesRead === 0) break;
    parser.write(buffer.subarray(0, bytesRead));
  }
  return parser.end();
}
