import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeImageLayout } from '../helpers/images.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { tally } from './support/run-context.js';

/** Names every JavaScript object inherits: a pull request may name a stream or a tag after any of them. */
const INHERITED_TAG_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'];

describe('a stream or tag named like a property every object has is an ordinary name', () => {
  it('a stream "constructor" with such tags: plan, apply, describe and show treat them as any other', async () => {
    const workspace = new Workspace('imagestreams-inherited-names-');
    writeImageLayout(join(workspace.dir, 'layout'), {
      tags: { one: { platforms: ['linux/amd64'], seed: 'one' }, two: { platforms: ['linux/amd64'], seed: 'two' } },
    });
    const tags = Object.fromEntries(INHERITED_TAG_NAMES.map((tag) => [tag, { from: 'oci:layout:one' }]));
    workspace.writeCatalog({ streams: { constructor: tags, app: { v1: { from: 'oci:layout:two' } } } });
    for (const args of [['plan'], ['apply', '--auto-approve'], ['describe', 'constructor'], ['show']]) {
      const outcome = await runCliMeasured(args, workspace.dir);
      expect(outcome.code, `${args.join(' ')}\n${outcome.stderr}`).toBe(0);
      expect(outcome.stderr).not.toMatch(/internal error/);
    }
    const state = JSON.parse(readFileSync(workspace.statePath, 'utf8'), (_key, value) => value);
    const recorded = Object.getOwnPropertyDescriptor(state.streams, 'constructor')?.value;
    expect(Object.keys(recorded.tags).sort()).toEqual([...INHERITED_TAG_NAMES].sort());
    expect(Object.keys(state.streams.app.tags)).toEqual(['v1']);
    tally({ attacks: 1 });
  });
});

describe('a lock file written by someone else cannot forge lines in the output', () => {
  it('shows its fields on one line each, without control characters', async () => {
    const workspace = new Workspace('imagestreams-lock-info-');
    writeImageLayout(join(workspace.dir, 'layout'), { tags: { one: { platforms: ['linux/amd64'], seed: 'one' } } });
    workspace.writeCatalog({ streams: { app: { v1: { from: 'oci:layout:one' } } } });
    const forged = '\r\nApply complete! 0 imported.\n\u001b[2K\u001b[1A\u202eevil';
    writeFileSync(
      `${workspace.statePath}.lock`,
      JSON.stringify({
        id: `id${forged}`,
        operation: `apply${forged}`,
        who: `someone${forged}@elsewhere`,
        pid: 1,
        created: `2026-01-01${forged}`,
      }),
    );
    const outcome = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/Lock Info:/);
    expect(outcome.stderr).not.toMatch(/^Apply complete!/m);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be absent
    expect(outcome.stderr).not.toMatch(/[\u001b\r\u202e]/);
    tally({ attacks: 1 });
  });
});
