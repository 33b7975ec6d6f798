import { readFile } from 'node:fs/promises';
import { PlanMismatchError, UsageError } from '../core/errors.js';
import { isNotFound, writeFileAtomic } from './atomic-file.js';

/**
 * A saved plan file (`plan --out FILE`) is JSON: `{"kind": "imagestreams-plan", "version": 1, "plan": …}`.
 * The envelope marks the file as ours and versions the envelope itself; `plan` is whatever the planner
 * saved, returned unchanged by `readPlanFile` (its own format, lineage and serial checks are the planner's).
 */
export const PLAN_FILE_KIND = 'imagestreams-plan';
export const PLAN_FILE_VERSION = 1;

interface PlanFileEnvelope {
  kind: typeof PLAN_FILE_KIND;
  version: number;
  plan: unknown;
}

/** Writes `plan` atomically, readable by its owner only. */
export async function writePlanFile(path: string, plan: unknown): Promise<void> {
  const envelope: PlanFileEnvelope = { kind: PLAN_FILE_KIND, version: PLAN_FILE_VERSION, plan };
  try {
    await writeFileAtomic(path, `${JSON.stringify(envelope, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    throw new UsageError(`cannot write plan file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** The plan saved in `path`; a UsageError when the file is missing or not a plan file. */
export async function readPlanFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = isNotFound(error) ? 'does not exist' : `cannot be read: ${(error as Error).message}`;
    throw new UsageError(`plan file ${path} ${reason}`, { cause: error });
  }
  const envelope = parseEnvelope(text);
  if (!envelope) {
    throw new UsageError(`${path} is not an imagestreams plan file (save one with: imagestreams plan --out ${path})`);
  }
  if (envelope.version > PLAN_FILE_VERSION) {
    throw new PlanMismatchError(
      `plan file ${path} was written by a newer version of imagestreams (plan file version ${envelope.version}); upgrade imagestreams`,
    );
  }
  return envelope.plan;
}

function parseEnvelope(text: string): PlanFileEnvelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const { kind, version, plan } = value as Record<string, unknown>;
  if (kind !== PLAN_FILE_KIND || !Number.isInteger(version) || (version as number) < 1 || plan === undefined) {
    return undefined;
  }
  return { kind, version: version as number, plan };
}
