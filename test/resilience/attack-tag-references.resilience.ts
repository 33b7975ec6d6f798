import { rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeImageLayout } from '../helpers/images.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused, expectWithinMemory, runOnHostileInput } from './support/hostile.js';
import { blobPath } from './support/layout-files.js';
import { treeSnapshot } from './support/no-change.js';
import { tamperPlanFile } from './support/plan-files.js';
import { type Change, MISMATCH } from './support/plan-scene.js';
import { tally } from './support/run-context.js';

const HEADER = 'apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n';

/** One stream `s` whose tags are written as given: `[tag, from]` pairs, `from` as YAML text. */
function streamText(tags: readonly (readonly [string, string])[]): string {
  return `${HEADER}  s:\n    tags:\n${tags.map(([tag, from]) => `      ${tag}:\n        from: ${from}\n`).join('')}`;
}

const TAGS = 10_000;

/** `s:t0` from `root`, and each `s:tN` following `s:t(N-1)`: a chain `length` tags long. */
function chain(root: string, length = TAGS): string {
  return streamText(Array.from({ length }, (_, i) => [`t${i}`, i === 0 ? root : `s:t${i - 1}`] as const));
}

/** `s:root` from `root`, and 10,000 tags following it. */
function fanOut(root: string): string {
  return streamText([['root', root], ...Array.from({ length: TAGS }, (_, i) => [`f${i}`, 's:root'] as const)]);
}

/** 10,000 tags each following the next, the last following the first. */
function longCycle(): string {
  return streamText(Array.from({ length: TAGS }, (_, i) => [`t${i}`, `s:t${(i + 1) % TAGS}`] as const));
}

describe('tags that follow tags cost little, however many and however long their chains', () => {
  const work = new Workspace('imagestreams-attack-refs-');

  beforeAll(() => {
    writeImageLayout(work.file('upstream'), { tags: { a: { platforms: ['linux/amd64'] } } });
  });

  it('a chain of 10,000 tags whose first cannot be imported: plan names each failure in one bounded line', async () => {
    work.writeCatalog(chain('oci:missing:x'));
    const before = treeSnapshot(work.dir);
    const outcome = await runOnHostileInput(['plan'], work.dir);
    expectRefused(outcome, /10000 tags could not be resolved/);
    expect(outcome.stdout).toMatch(
      /✗ s:t9999: follows s:t9998, which follows s:t9997, which … \(9996 tags in between\), which follows s:t0, which could not be resolved: oci:missing /,
    );
    expect(Math.max(...outcome.stdout.split('\n').map((line) => line.length))).toBeLessThan(1000);
    expect(treeSnapshot(work.dir)).toEqual(before);
    tally({ inputs: 1, attacks: 1 });
  });

  it('a chain of 10,000 tags is planned, and one of 1,000 applied, every tag getting the first one’s image', async () => {
    rmSync(work.statePath, { force: true });
    work.writeCatalog(chain('oci:upstream:a'));
    const plan = await runOnHostileInput(['plan'], work.dir);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Plan: 10000 to import/);
    expectWithinMemory(plan);
    // apply records each tag in the journal as it goes (about 4 ms a tag): 1,000 keeps the suite quick.
    work.writeCatalog(chain('oci:upstream:a', 1000));
    const apply = await runOnHostileInput(['apply', '--auto-approve'], work.dir);
    expect(apply.code, apply.stderr.slice(0, 2000)).toBe(0);
    expectWithinMemory(apply);
    const tags = work.state().streams.s!.tags;
    expect(tags.t999!.items[0]!.digest).toBe(tags.t0!.items[0]!.digest);
    tally({ inputs: 1, attacks: 1 });
  });

  it('10,000 tags following one tag are planned within the memory bound', async () => {
    rmSync(work.statePath, { force: true });
    work.writeCatalog(fanOut('oci:upstream:a'));
    const outcome = await runOnHostileInput(['plan', '--json'], work.dir);
    expect(outcome.code, outcome.stderr).toBe(0);
    expectWithinMemory(outcome);
    const changes = JSON.parse(outcome.stdout).changes as Change[];
    expect(changes.filter((c) => c.reference?.address === 's:root')).toHaveLength(TAGS);
    tally({ inputs: 1, attacks: 1 });
  });

  it('a cycle through 10,000 tags is a catalog error, found at once', async () => {
    work.writeCatalog(longCycle());
    const before = treeSnapshot(work.dir);
    expectRefused(
      await runOnHostileInput(['validate'], work.dir),
      /imagestreams\.yaml:\d+:\d+: error: the tags follow each other in a cycle: s:t0 → s:t1 → .* → s:t9999 → s:t0/,
    );
    expect(treeSnapshot(work.dir)).toEqual(before);
    tally({ inputs: 1, attacks: 1 });
  });

  it.each([
    ['a tag following itself', '{kind: ImageStreamTag, name: t}', /cycle: s:t → s:t/],
    [
      'a tag following a stream only the state has',
      '{kind: ImageStreamTag, name: "gone:old"}',
      /no image stream "gone"/,
    ],
    [
      'a tag named __proto__',
      '{kind: ImageStreamTag, name: "__proto__:x"}',
      /is named STREAM:TAG .* not "__proto__:x"/,
    ],
    ['a tag of its stream named constructor', '{kind: ImageStreamTag, name: constructor}', /has no tag "constructor"/],
  ])('%s is a catalog error naming where', async (_name, from, message) => {
    work.writeCatalog(streamText([['t', from]]));
    const before = treeSnapshot(work.dir);
    for (const command of ['validate', 'plan', 'apply']) {
      const outcome = await runOnHostileInput(
        [command, '--auto-approve'].slice(0, command === 'apply' ? 2 : 1),
        work.dir,
      );
      expectRefused(outcome, new RegExp(`imagestreams\\.yaml:7:\\d+: error: .*${message.source}`));
    }
    expect(treeSnapshot(work.dir)).toEqual(before);
    tally({ inputs: 1, attacks: 1 });
  });

  it('a tag following a tag that only the state still holds is a catalog error, the state kept', async () => {
    rmSync(work.statePath, { force: true });
    work.writeCatalog(streamText([['old', 'oci:upstream:a']]));
    await work.expectRun(['apply', '--auto-approve'], 0);
    work.writeCatalog(streamText([['new', '{kind: ImageStreamTag, name: old}']]));
    const before = treeSnapshot(work.dir);
    for (const args of [['plan'], ['apply', '--auto-approve']]) {
      expectRefused(
        await runOnHostileInput(args, work.dir),
        /imagestreams\.yaml:7:\d+: error: ImageStreamTag s:old: the image stream "s" has no tag "old"/,
      );
    }
    expect(treeSnapshot(work.dir)).toEqual(before);
    tally({ attacks: 1 });
  });
});

describe('a saved plan cannot change what a follower gets', () => {
  const work = new Workspace('imagestreams-attack-refs-plan-');
  const images = () =>
    writeImageLayout(work.file('upstream'), { tags: { a: { platforms: ['linux/amd64'], seed: 'v2' } } });
  let old: string;

  beforeAll(async () => {
    old = writeImageLayout(work.file('upstream'), {
      tags: { a: { platforms: ['linux/amd64'] }, b: { platforms: ['linux/amd64'] } },
    }).tags.a!.digest;
    work.writeCatalog(
      `${HEADER}  dev:\n    tags:\n      latest:\n        from: oci:upstream:a\n        scheduled: true\n      other:\n        from: oci:upstream:b\n` +
        '  prod:\n    tags:\n      latest:\n        from: dev:latest\n',
    );
    await work.expectRun(['apply', '--auto-approve'], 0);
    images();
    await work.expectRun(['plan', '--out', 'plan.json'], 0);
  });

  const follower = (plan: Record<string, unknown>) =>
    (plan.changes as Change[]).find((c) => c.address === 'prod:latest')!;

  it.each<[string, (plan: Record<string, unknown>) => void]>([
    [
      'the follower’s digest edited back to the image it had',
      (plan) => {
        const change = follower(plan);
        change.after.digest = old;
        change.after.dockerImageReference = `oci:upstream@${old}`;
      },
    ],
    [
      'the follower’s reference edited to another tag',
      (plan) => {
        follower(plan).reference.name = 'dev:other';
      },
    ],
    [
      'the follower’s reference address edited',
      (plan) => {
        follower(plan).reference.address = 'dev:other';
      },
    ],
    [
      'the follower’s change removed',
      (plan) => {
        plan.changes = (plan.changes as Change[]).filter((c) => c.address !== 'prod:latest');
      },
    ],
    [
      'the follower’s spec edited to a registry import',
      (plan) => {
        const change = follower(plan);
        change.spec.from = 'quay.io/evil/image:latest';
        delete change.spec.fromKind;
      },
    ],
  ])('%s: apply refuses the plan and changes no file', async (_name, edit) => {
    tamperPlanFile(work.file('plan.json'), work.file('edited.json'), edit);
    const before = treeSnapshot(work.dir);
    const outcome = await runCliMeasured(['apply', 'edited.json'], work.dir, { timeoutMs: 30_000, memoryLimitMb: 600 });
    expectRefused(outcome, MISMATCH);
    expect(treeSnapshot(work.dir)).toEqual(before);
    tally({ attacks: 1 });
  });
});

describe('a follower whose target fails to import', () => {
  it('keeps its image and records the failure as a condition; apply exits 1 and does not crash', async () => {
    const work = new Workspace('imagestreams-attack-refs-fail-');
    writeImageLayout(work.file('upstream'), { tags: { a: { platforms: ['linux/amd64'] } } });
    work.writeCatalog(
      `${HEADER}  dev:\n    tags:\n      latest:\n        from: oci:upstream:a\n        scheduled: true\n        referencePolicy: Local\n` +
        '  prod:\n    tags:\n      latest:\n        from: dev:latest\n',
    );
    await work.expectRun(['apply', '--auto-approve'], 0);
    const kept = work.state().streams.prod!.tags.latest!.items[0]!.digest;
    const moved = writeImageLayout(work.file('upstream'), {
      tags: { a: { platforms: ['linux/amd64'], seed: 'moved' } },
    }).tags.a!;
    // plan reads manifests and configs; the mirror into the local store then finds the new layer missing.
    rmSync(blobPath(work.file('upstream'), moved.manifests[0]!.layerDigests[0]!));
    const outcome = await runCliMeasured(['apply', '--auto-approve'], work.dir, { timeoutMs: 30_000 });
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(1);
    expect(`${outcome.stdout}${outcome.stderr}`).not.toMatch(/internal error|\n {4}at /);
    expect(outcome.stdout).toMatch(/prod:latest/);
    const prod = work.state().streams.prod!.tags.latest!;
    expect(prod.items[0]!.digest).toBe(kept);
    expect(prod.conditions[0]).toMatchObject({ type: 'ImportSuccess', status: 'False' });
    tally({ attacks: 1 });
  });
});
