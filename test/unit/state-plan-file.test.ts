import { execFileSync } from 'node:child_process';
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
    expect(await readPlanFile(path)).toEqual({ plan, signature: 'unsigned' });
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
    expect((await readPlanFile(nested)).plan).toEqual(plan);
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

describe('signed plan files', () => {
  const key = Buffer.from('a key only CI jobs know');

  async function envelope(): Promise<Record<string, unknown>> {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  }

  async function refusal(options: { key?: Uint8Array } = { key }): Promise<string> {
    const error = await readPlanFile(path, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanMismatchError);
    return (error as Error).message;
  }

  it('carries an HMAC-SHA256 of its content, and is read back verified with the same key', async () => {
    await writePlanFile(path, plan, { key });
    expect((await envelope()).signature).toMatch(/^hmac-sha256:[a-f0-9]{64}$/);
    expect(await readPlanFile(path, { key })).toEqual({ plan, signature: 'verified' });
  });

  it('signs the content, not its layout: re-indented, it still verifies', async () => {
    await writePlanFile(path, plan, { key });
    await writeFile(path, JSON.stringify(await envelope()));
    expect((await readPlanFile(path, { key })).signature).toBe('verified');
  });

  it('never holds the key', async () => {
    await writePlanFile(path, plan, { key });
    expect(await readFile(path, 'utf8')).not.toContain(key.toString());
  });

  it('is read without a key, its signature unchecked', async () => {
    await writePlanFile(path, plan, { key });
    expect(await readPlanFile(path)).toEqual({ plan, signature: 'unchecked' });
  });

  it('refuses an unsigned plan when a key is given', async () => {
    await writePlanFile(path, plan);
    expect(await refusal()).toBe(
      `plan file ${path} is not signed, and IMAGESTREAMS_PLAN_KEY is set: make the plan with plan --out and the same key`,
    );
  });

  it.each<[string, (document: Record<string, unknown>) => void]>([
    ['an edited plan', (d) => Object.assign(d.plan as object, { changes: [] })],
    ['a signature of other content', (d) => (d.signature = `hmac-sha256:${'0'.repeat(64)}`)],
    ['a signature that is not one', (d) => (d.signature = { hmac: true })],
    ['a signature with another algorithm', (d) => (d.signature = `hmac-md5:${'0'.repeat(32)}`)],
  ])('refuses %s: signature does not match', async (_name, edit) => {
    await writePlanFile(path, plan, { key });
    const document = await envelope();
    edit(document);
    await writeFile(path, JSON.stringify(document));
    expect(await refusal()).toBe(
      `plan file ${path}: signature does not match: the file was changed after it was signed, or signed with another IMAGESTREAMS_PLAN_KEY`,
    );
  });

  it('refuses a plan signed with another key', async () => {
    await writePlanFile(path, plan, { key: Buffer.from('another key') });
    expect(await refusal()).toMatch(/signature does not match/);
  });
});

describe('reading an untrusted plan file', () => {
  it('refuses what is not a regular file, without waiting on it', async () => {
    execFileSync('mkfifo', [path]);
    await expect(readPlanFile(path)).rejects.toThrow(`plan file ${path} is not a regular file`);
  });

  it('refuses a directory', async () => {
    await expect(readPlanFile(dir)).rejects.toThrow(`plan file ${dir} is not a regular file`);
  });
});
