import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../src/core/state-model.js';
import { encodeJournalRecord } from '../../src/state/journal.js';
import { seededBytes } from '../helpers/tar-gzip.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { Fleet } from './support/fleet.js';
import { tally } from './support/run-context.js';

const workspace = new Workspace('imagestreams-corrupt-state-');
const statePath = workspace.statePath;
const journal = `${statePath}.journal`;
const backup = `${statePath}.backup`;
let good: Buffer;

/** Two applies, so that the state has a `.backup` (the state before the second). */
beforeAll(async () => {
  const fleet = new Fleet(workspace.dir, 6, 2);
  workspace.writeCatalog(fleet.catalog());
  expect((await runCliMeasured(['apply', '--auto-approve'], workspace.dir)).code).toBe(0);
  fleet.publish(fleet.scheduledTags, 'v2');
  expect((await runCliMeasured(['apply', '--auto-approve'], workspace.dir)).code).toBe(0);
  good = readFileSync(statePath);
  expect(existsSync(backup)).toBe(true);
});

afterEach(() => {
  writeFileSync(statePath, good);
  rmSync(journal, { force: true });
});

function goodState(): State {
  return JSON.parse(good.toString('utf8')) as State;
}

function edited(change: (state: State) => void): Buffer {
  const state = goodState();
  change(state);
  return Buffer.from(`${JSON.stringify(state, null, 2)}\n`);
}

function firstTag(state: State): Record<string, unknown> {
  return state.streams.s0!.tags.t0! as unknown as Record<string, unknown>;
}

/** Every file of the workspace but the image layout, byte for byte. */
function snapshot(): Map<string, string> {
  const names = readdirSync(workspace.dir).filter((name) => name !== 'layout');
  return new Map(names.map((name) => [name, readFileSync(join(workspace.dir, name)).toString('base64')]));
}

const COMMANDS = [['plan'], ['apply', '--auto-approve'], ['show'], ['show', '--json']];

/** Each command exits 1 with one clear error (no stack trace) and leaves every file as it was. */
async function expectRefusedUntouched(message: RegExp): Promise<void> {
  const before = snapshot();
  for (const args of COMMANDS) {
    const result = await runCliMeasured(args, workspace.dir);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/internal error|\n {4}at /);
    expect(snapshot()).toEqual(before);
  }
}

const BACKUP_HINT = /[\s\S]*\nThe previous state is in \S+imagestreams\.state\.json\.backup\.\n$/;

describe('a damaged state file: every command refuses it with a clear error and changes no file', () => {
  it.each<[string, () => Buffer, RegExp]>([
    ['cut short', () => good.subarray(0, good.length >> 1), /state file \S+imagestreams\.state\.json is corrupt: /],
    ['empty', () => Buffer.alloc(0), /is corrupt: Unexpected end of JSON input/],
    ['all NUL bytes', () => Buffer.alloc(good.length), /is corrupt: /],
    ['random bytes', () => seededBytes('corrupt state', 4096), /is corrupt: /],
    [
      'valid JSON followed by garbage',
      () => Buffer.concat([good, Buffer.from('}{')]),
      /is corrupt: .*\(line \d+, column \d+\)/,
    ],
    ['not an object', () => Buffer.from('[]\n'), /is not a valid imagestreams state: expected a JSON object/],
    [
      'of a newer format',
      () => edited((s) => Object.assign(s, { version: 99 })),
      /was written by a newer version of imagestreams \(version 99\); upgrade imagestreams/,
    ],
    [
      'without a lineage',
      () => edited((s) => Reflect.deleteProperty(s, 'lineage')),
      /is not a valid imagestreams state:\n {2}\/: must have required property 'lineage'/,
    ],
    [
      'holding a path instead of a digest',
      () => edited((s) => Object.assign((firstTag(s).items as object[])[0]!, { digest: 'sha256:../../../etc/passwd' })),
      /is not a valid imagestreams state:\n {2}\/streams\/s0\/tags\/t0\/items\/0\/digest: /,
    ],
    [
      'holding items that are not a list',
      () => edited((s) => Object.assign(firstTag(s), { items: 'none' })),
      /\/streams\/s0\/tags\/t0\/items: must be array/,
    ],
  ])('%s', async (_name, damage, message) => {
    writeFileSync(statePath, damage());
    tally({ inputs: 1 });
    await expectRefusedUntouched(new RegExp(message.source + BACKUP_HINT.source));
  });

  it('restoring the backup, as the error suggests, is a way out', async () => {
    writeFileSync(statePath, Buffer.alloc(good.length));
    expect((await runCliMeasured(['plan'], workspace.dir)).code).toBe(1);
    copyFileSync(backup, statePath);
    const plan = await runCliMeasured(['plan', '--detailed-exitcode'], workspace.dir);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/Plan: 0 to import, 2 to re-import, 0 to remove\./);
  });
});

/** One checksummed journal line forgetting `s0:<tag>`, on top of the state with `lineage` and `serial`. */
function journalLine(tag: string, lineage = goodState().lineage, serial = goodState().serial): string {
  return encodeJournalRecord({ version: 1, lineage, serial, entry: { op: 'deleteTag', stream: 's0', tag } });
}

describe('a damaged state journal: every command refuses it and changes no file', () => {
  it.each<[string, () => string, RegExp]>([
    [
      'a line damaged before the last one',
      () => `${journalLine('t0')}{"not":"a record"}\n${journalLine('t2')}`,
      /state journal \S+ is damaged at line 2 \(checksum mismatch\); the state file itself is intact/,
    ],
    [
      'a record changed after it was written',
      () => `${journalLine('t0').replace('"t0"', '"t2"')}${journalLine('t4')}`,
      /is damaged at line 1 \(checksum mismatch\)/,
    ],
    [
      'records of another state',
      () => journalLine('t0', '00000000-0000-4000-8000-000000000000'),
      /state journal \S+ belongs to another state \(lineage 00000000-0000-4000-8000-000000000000, while/,
    ],
    [
      'records continuing a newer state file than this one',
      () => journalLine('t0', undefined, goodState().serial + 3),
      /continues serial \d+ of the state, but \S+ has serial \d+; restore the state file/,
    ],
  ])('%s', async (_name, content, message) => {
    writeFileSync(journal, content());
    tally({ inputs: 1 });
    await expectRefusedUntouched(message);
  });

  it('a last line cut short by a crash is ignored, and the records before it are replayed', async () => {
    const torn = journalLine('t2');
    writeFileSync(journal, `${journalLine('t0')}${torn.slice(0, torn.length >> 1)}`);
    tally({ inputs: 1 });
    const shown = await runCliMeasured(['show', '--json'], workspace.dir);
    expect(shown.code, shown.stderr).toBe(0);
    expect(Object.keys((JSON.parse(shown.stdout) as State).streams.s0!.tags).sort()).toEqual(['t2', 't4']);
  });
});
