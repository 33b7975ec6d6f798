import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aliasBombLines } from '../helpers/hostile-yaml.js';
import { writeImageLayout } from '../helpers/images.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused, runOnHostileInput } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';

const HEAD = 'apiVersion: imagestreams/v1\nkind: Catalog\n';
const GOOD = `${HEAD}streams:\n  ok:\n    tags:\n      multi:\n        from: oci:good:multi\n`;

/** A catalog whose aliases expand to about 387 million strings. */
function billionLaughs(): string {
  return `${HEAD}streams: {}\nx:\n${aliasBombLines('  ')}\n`;
}

/** A catalog file of `bytes` bytes that holds no data (a sparse file: nothing is written to disk). */
function sparseFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

const FOUR_MB = 4_000_000;

/** A hostile catalog: how to write it at `path`, and what the error must say. */
type HostileCatalog = [name: string, write: (path: string) => void, message: RegExp];

/**
 * A good block catalog with `leaves` values under `depth` nested keys of 990 characters beside it: their JSON Pointers
 * are over 22,000 characters long, or twice that when the keys are written with `/` (a pointer escapes it as `~1`).
 */
function longPointers(leaves: number, flow: boolean, letter = 'k', depth = 23): string {
  const keys = Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}k${letter.repeat(989)}${i}:`).join('\n');
  const names = Array.from({ length: leaves }, (_, i) => `a${i}`);
  const values = flow
    ? ` {${names.map((name) => `${name}: v`).join(', ')}}\n`
    : `\n${names.map((name) => `${' '.repeat(depth + 1)}${name}: v\n`).join('')}`;
  return `${GOOD}x:\n${keys}${values}`;
}

const HOSTILE_CATALOGS: HostileCatalog[] = [
  [
    'flow sequences nested a million deep',
    (path) => writeFileSync(path, `${HEAD}streams: ${'['.repeat(1e6)}${']'.repeat(1e6)}\n`),
    /^imagestreams\.yaml:3:\d+: error: the catalog is nested too deeply \(more than 64 levels\)$/m,
  ],
  [
    'block mappings nested 1,000 deep',
    (path) =>
      writeFileSync(
        path,
        `${HEAD}streams:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} x\n`,
      ),
    /^imagestreams\.yaml:\d+:\d+: error: the catalog is nested too deeply/m,
  ],
  [
    'billion laughs: aliases expanding to 387 million strings',
    (path) => writeFileSync(path, billionLaughs()),
    /^imagestreams\.yaml:\d+:\d+: error: the catalog expands aliases more than 1000 times$/m,
  ],
  [
    'a 1 GiB file',
    (path) => sparseFile(path, 1 << 30),
    /^imagestreams\.yaml:1:1: error: the catalog is too large \(1073741824 bytes; at most 4194304 are read\)$/m,
  ],
  [
    'bytes that are not UTF-8',
    (path) =>
      writeFileSync(path, Buffer.concat([Buffer.from(`${HEAD}streams: {}\n# `), Buffer.from([0xc3, 0x28, 0xff])])),
    /^imagestreams\.yaml:1:1: error: the catalog is not UTF-8 text$/m,
  ],
  [
    'a 4 MB string',
    (path) => writeFileSync(path, `${HEAD}streams: {}\nx: "${'a'.repeat(FOUR_MB)}"\n`),
    /^imagestreams\.yaml:4:1: error: unknown key "x" at the top level/m,
  ],
  [
    'a value holding a run of 4 million spaces',
    (path) => writeFileSync(path, `${GOOD}x: a${' '.repeat(FOUR_MB)}b\n`),
    /^imagestreams\.yaml:8:1: error: unknown key "x" at the top level/m,
  ],
  [
    '29,000 values under keys nested to a path of 22,000 characters, in block style',
    (path) => writeFileSync(path, longPointers(29_000, false)),
    /^imagestreams\.yaml:8:1: error: unknown key "x" at the top level/m,
  ],
  [
    '31,000 values under keys of slashes nested to a path of 43,000 characters, in block style',
    (path) => writeFileSync(path, longPointers(31_000, false, '/', 22)),
    /^imagestreams\.yaml:8:1: error: unknown key "x" at the top level/m,
  ],
  [
    '29,000 values under keys nested to a path of 22,000 characters, in a flow mapping',
    (path) => writeFileSync(path, longPointers(29_000, true)),
    /^imagestreams\.yaml:8:1: error: unknown key "x" at the top level/m,
  ],
  [
    'a million YAML documents in 4 MB',
    (path) => writeFileSync(path, `${GOOD}${'---\n'.repeat(FOUR_MB / 4)}`),
    /error: the catalog must be a single YAML document \(remove "---"\)/,
  ],
  [
    'a flow sequence of 1.3 million empty sequences in 4 MB',
    (path) => writeFileSync(path, `${HEAD}streams: {}\nx: [${'[],'.repeat(1_300_000)}]\n`),
    /^imagestreams\.yaml:\d+:\d+: error: /m,
  ],
  [
    'a mapping of 240,000 keys in 4 MB',
    (path) =>
      writeFileSync(
        path,
        `${HEAD}streams: {}\nx:\n${Array.from({ length: 240_000 }, (_, i) => `  k${i}: ${i}\n`).join('')}`,
      ),
    /^imagestreams\.yaml:\d+:\d+: error: /m,
  ],
];

const workspace = new Workspace('imagestreams-hostile-catalogs-');

/** A state from a good catalog first, so that "nothing written" covers an existing state. */
beforeAll(async () => {
  writeImageLayout(join(workspace.dir, 'good'), { tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'] } } });
  workspace.writeCatalog(GOOD);
  const apply = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
  expect(apply.code, apply.stderr).toBe(0);
});

describe('a hostile catalog: validate, plan and apply refuse it with a clear error, in bounded memory, writing nothing', () => {
  it.each(HOSTILE_CATALOGS)('%s', async (_name, write, message) => {
    write(workspace.catalogPath);
    tally({ inputs: 1 });
    const before = treeSnapshot(workspace.dir);
    for (const args of [['validate'], ['plan'], ['apply', '--auto-approve']]) {
      expectRefused(await runOnHostileInput(args, workspace.dir), message);
      expect(treeSnapshot(workspace.dir)).toEqual(before);
    }
  });
});

describe('names that are special in JavaScript', () => {
  it('tags named __proto__ and constructor are ordinary tags, recorded and planned as any other', async () => {
    tally({ inputs: 1 });
    workspace.writeCatalog(
      `${HEAD}streams:\n  s:\n    tags:\n      __proto__:\n        from: oci:good:multi\n      constructor:\n        from: oci:good:multi\n`,
    );
    expect((await runCliMeasured(['apply', '--auto-approve'], workspace.dir)).code).toBe(0);
    const shown = await runCliMeasured(['show', '--json'], workspace.dir);
    const state = JSON.parse(shown.stdout) as { streams: Record<string, { tags: object }> };
    expect(Object.keys(state.streams.s!.tags).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(state.streams.s!.tags, '__proto__')).toBe(true);
    const plan = await runCliMeasured(['plan', '--detailed-exitcode'], workspace.dir);
    expect(plan.stdout).toMatch(/No changes\. 2 tags up to date\./);
    expect(plan.code).toBe(0);
  });
});
