import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlanMismatchError, UsageError } from '../../src/core/errors.js';
import { PLAN_FILE_KIND, readPlanFile, writePlanFile } from '../../src/state/index.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'state-plan-'));
  path = join(dir, 'tfplan.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const plan = { formatVersion: '1.0', priorState: { lineage: 'l', serial: 3 }, changes: [{ address: 'app:latest' }] };

describe('saved plan files', () => {
  it('round-trips a plan inside the imagestreams-plan envelope', async () => {
    await writePlanFile(path, plan);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ kind: PLAN_FILE_KIND, version: 1, plan });
    expect(await readPlanFile(path)).toEqual(plan);
  });

  it('is readable by its owner only, even when it replaces a wider file', async () => {
    await writeFile(path, '{}', { mode: 0o644 });
    await writePlanFile(path, plan);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['tfplan.json']);
  });

  it('creates the directory it is written to', async () => {
    const nested = join(dir, 'plans', 'pr-1.plan');
    await writePlanFile(nested, plan);
    expect(await readPlanFile(nested)).toEqual(plan);
  });

  it.each([
    ['not JSON', 'Plan: 1 to import'],
    ['JSON of another kind', JSON.stringify({ kind: 'terraform-plan', version: 1, plan })],
    ['a bare plan without the envelope', JSON.stringify(plan)],
    ['an envelope without a plan', JSON.stringify({ kind: PLAN_FILE_KIND, version: 1 })],
  ])('refuses %s', async (_name, text) => {
    await writeFile(path, text);
    const error = await readPlanFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `${path} is not an imagestreams plan file (save one with: imagestreams plan --out ${path})`,
    );
  });

  it('says when the file does not exist', async () => {
    await expect(readPlanFile(path)).rejects.toThrow(`plan file ${path} does not exist`);
  });

  it('refuses a plan file written by a newer version', async () => {
    await writeFile(path, JSON.stringify({ kind: PLAN_FILE_KIND, version: 2, plan }));
    const error = await readPlanFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanMismatchError);
    expect((error as Error).message).toMatch(/written by a newer version of imagestreams \(plan file version 2\)/);
  });
});
