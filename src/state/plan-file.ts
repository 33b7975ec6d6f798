import { constants, type FileHandle, open } from 'node:fs/promises';
import { PlanMismatchError, UsageError } from '../core/errors.js';
import { isNotFound, writeFileAtomic } from '../files/atomic-file.js';
import { planSignature, signatureMatches } from './plan-signature.js';

/**
 * A saved plan file (`plan --out FILE`) is JSON: `{"kind": "imagestreams-plan", "version": 1, "plan": …}`, and
 * `"signature": "hmac-sha256:…"` when it was written with a plan key. The envelope marks the file as ours and
 * versions the envelope itself; `plan` is whatever the planner saved, returned unchanged by `readPlanFile` (whether
 * it is a plan that can be applied is for the engine to prove). The signature covers the envelope's other fields.
 */
export const PLAN_FILE_KIND = 'imagestreams-plan';
export const PLAN_FILE_VERSION = 1;

/** A plan file larger than this is refused unread (a plan of 10,000 tags takes about 50 MiB). */
export const MAX_PLAN_FILE_BYTES = 256 * 1024 * 1024;

interface PlanFileContent {
  kind: typeof PLAN_FILE_KIND;
  version: number;
  plan: unknown;
}

interface PlanFileEnvelope extends PlanFileContent {
  signature?: unknown;
}

export interface PlanKeyOption {
  /** The key plans are signed and checked with (IMAGESTREAMS_PLAN_KEY); none: plans are neither signed nor checked. */
  key?: Uint8Array;
}

export interface ReadPlanFileOptions extends PlanKeyOption {
  /** The file as the user named it, for messages (default: `path`). */
  displayPath?: string;
}

/** What `readPlanFile` found: the plan, and what is known of who wrote it. */
export interface SavedPlanFile {
  plan: unknown;
  /** `verified`: signed with the key given; `unchecked`: signed, but no key was given; `unsigned`: no key, no signature. */
  signature: 'verified' | 'unchecked' | 'unsigned';
}

/** Writes `plan` atomically, readable by its owner only; signed when a key is given. */
export async function writePlanFile(path: string, plan: unknown, options: PlanKeyOption = {}): Promise<void> {
  const content: PlanFileContent = { kind: PLAN_FILE_KIND, version: PLAN_FILE_VERSION, plan };
  const envelope: PlanFileEnvelope = options.key
    ? { ...content, signature: planSignature(content, options.key) }
    : content;
  try {
    await writeFileAtomic(path, `${JSON.stringify(envelope, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    throw new UsageError(`cannot write plan file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The plan saved in `path`: a UsageError when the file is missing or not a plan file; with a key, a
 * PlanMismatchError unless it is signed with that key.
 */
export async function readPlanFile(path: string, options: ReadPlanFileOptions = {}): Promise<SavedPlanFile> {
  const name = options.displayPath ?? path;
  const envelope = parseEnvelope(await readPlanText(path, name));
  if (!envelope) {
    throw new UsageError(`${name} is not an imagestreams plan file (save one with: imagestreams plan --out ${name})`);
  }
  if (envelope.version > PLAN_FILE_VERSION) {
    throw new PlanMismatchError(
      `plan file ${name} was written by a newer version of imagestreams (plan file version ${envelope.version}); upgrade imagestreams`,
    );
  }
  return { plan: envelope.plan, signature: checkSignature(envelope, name, options.key) };
}

function checkSignature(
  envelope: PlanFileEnvelope,
  path: string,
  key: Uint8Array | undefined,
): SavedPlanFile['signature'] {
  const { signature, ...content } = envelope;
  if (!key) return signature === undefined ? 'unsigned' : 'unchecked';
  if (signature === undefined) {
    throw new PlanMismatchError(
      `plan file ${path} is not signed, and IMAGESTREAMS_PLAN_KEY is set: make the plan with plan --out and the same key`,
    );
  }
  if (!signatureMatches(content, signature, key)) {
    throw new PlanMismatchError(
      `plan file ${path}: signature does not match: the file was changed after it was signed, or signed with another IMAGESTREAMS_PLAN_KEY`,
    );
  }
  return 'verified';
}

/** The file's text; only a regular file no larger than MAX_PLAN_FILE_BYTES is read (a FIFO is not waited on). */
async function readPlanText(path: string, name: string): Promise<string> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UsageError(`plan file ${name} is not a regular file`);
    if (stats.size > MAX_PLAN_FILE_BYTES) {
      throw new UsageError(
        `plan file ${name} is larger than ${MAX_PLAN_FILE_BYTES >> 20} MiB: not a plan this tool wrote`,
      );
    }
    return await handle.readFile('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const reason = isNotFound(error) ? 'does not exist' : `cannot be read: ${(error as Error).message}`;
    throw new UsageError(`plan file ${name} ${reason}`, { cause: error });
  } finally {
    await handle?.close();
  }
}

function parseEnvelope(text: string): PlanFileEnvelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { kind, version, plan, signature } = value as Record<string, unknown>;
  if (kind !== PLAN_FILE_KIND || !Number.isInteger(version) || (version as number) < 1 || plan === undefined) {
    return undefined;
  }
  return { kind, version: version as number, plan, ...(signature !== undefined && { signature }) };
}
