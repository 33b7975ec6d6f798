import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { aliasBombLines } from '../helpers/hostile-yaml.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused, runOnHostileInput } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';

const STREAM = { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream' };

function imageStream(name: string, tags: object[]): string {
  return stringify({ ...STREAM, metadata: { name }, spec: { tags } });
}

/** An ImageStream whose annotations expand to about 387 million strings. */
function billionLaughs(): string {
  return `${stringify(STREAM)}metadata:\n  name: x\n  annotations:\n${aliasBombLines('    ')}\n`;
}

function sparseFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

/** Input `oc get is` output could be made into by whoever controls the cluster or the pull request, and the error. */
type HostileInput = [name: string, write: (path: string) => void, message: RegExp];

const HOSTILE_INPUTS: HostileInput[] = [
  ['a 1 GiB file', (path) => sparseFile(path, 1 << 30), /error: is\.yaml is larger than 8 MiB; refused/],
  [
    'flow sequences nested a million deep',
    (path) => writeFileSync(path, `items: ${'['.repeat(1e6)}${']'.repeat(1e6)}\n`),
    /error: is\.yaml:1:\d+: not valid YAML or JSON: is\.yaml is nested too deeply/,
  ],
  [
    'billion laughs',
    (path) => writeFileSync(path, billionLaughs()),
    /error: is\.yaml: document 1: .*alias.*; refused/i,
  ],
  [
    'a million empty documents',
    (path) => writeFileSync(path, '---\n'.repeat(1_000_000)),
    /error: is\.yaml holds more than 10000 documents; refused|too many YAML tokens/,
  ],
  [
    'a DockerImage that names a file on disk',
    (path) => writeFileSync(path, imageStream('x', [{ name: 't', from: { kind: 'DockerImage', name: 'oci:/etc' } }])),
    /error: ImageStream "x": spec\.tags\["t"\]\.from\.name "oci:\/etc": a DockerImage is a registry reference/,
  ],
  [
    'a stream name that climbs out of the directory',
    (path) => writeFileSync(path, imageStream('../../etc', [])),
    /error: stream name "..\/..\/etc" must be lowercase letters.*\(in the adopted streams; nothing was written\)/,
  ],
];

const workspace = new Workspace('imagestreams-hostile-adopt-');

beforeAll(() => {
  workspace.writeCatalog({ streams: { kept: { t: { from: 'quay.io/org/app:1' } } } });
});

describe('adopt fed hostile input refuses it with a clear error, in bounded memory, writing nothing', () => {
  it.each(HOSTILE_INPUTS)('%s', async (_name, write, message) => {
    write(workspace.file('is.yaml'));
    tally({ inputs: 1 });
    const before = treeSnapshot(workspace.dir);
    expectRefused(await runOnHostileInput(['adopt', 'is.yaml'], workspace.dir), message);
    expect(treeSnapshot(workspace.dir)).toEqual(before);
    tally({ attacks: 1 });
  });

  it('a FIFO given as the input is refused without blocking', async () => {
    execFileSync('mkfifo', [workspace.file('fifo')]);
    const before = treeSnapshot(workspace.dir);
    const outcome = await runCliMeasured(['adopt', 'fifo'], workspace.dir, { timeoutMs: 30_000 });
    expect(outcome.stoppedBy).toBe('exit');
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/error: cannot read fifo: .*not a regular file/);
    expect(treeSnapshot(workspace.dir)).toEqual(before);
    tally({ attacks: 1 });
  });
});
