import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Plan } from '../../src/core/plan-model.js';
import { REPO_ROOT } from './cli.js';

/** Lines of the text plan as DESIGN §6 shows them, to compare whole blocks of `plan` output. */

/** A digest as text plans show it: `sha256:` and 12 hex digits. */
export function short(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

const PLATFORM_WIDTH = 13;

const row = (mark: string, platform: string, digests: string) =>
  `    ${mark} ${platform.padEnd(PLATFORM_WIDTH)}  ${digests}`;

export const created = (platform: string, digest: string) => row('+', platform, short(digest));
export const updated = (platform: string, before: string, after: string) =>
  row('~', platform, `${short(before)} → ${short(after)}`);
export const deleted = (platform: string, digest: string) => row('-', platform, short(digest));
export const unchanged = (platform: string, digest: string) => row(' ', platform, `${short(digest)} (unchanged)`);

/** The `index` row of a list: new, replaced or unchanged. */
export function indexRow(before: string | null, after: string): string {
  if (before === null) return row(' ', 'index', short(after));
  if (before === after) return row(' ', 'index', `${short(after)} (unchanged)`);
  return row(' ', 'index', `${short(before)} → ${short(after)}`);
}

export function block(...lines: string[]): string {
  return lines.join('\n');
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validatePlan = ajv.compile(
  JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'plan.schema.json'), 'utf8')) as object,
);

/** Parses a `plan --json` document and fails unless it is valid against `schemas/plan.schema.json`. */
export function parsePlanJson(text: string): Plan {
  const plan = JSON.parse(text) as unknown;
  if (!validatePlan(plan))
    throw new Error(`plan JSON does not match its schema: ${ajv.errorsText(validatePlan.errors)}`);
  return plan as Plan;
}
