import { readdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJournalRecord } from '../../src/state/journal.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { Fleet } from './support/fleet.js';
import { type KillRoundReport, killRound } from './support/kill-loop.js';
import { RegistryUpstream } from './support/registry-upstream.js';
import { randomFor, tally } from './support/run-context.js';
import { replayedState, settledMismatches } from './support/state-checks.js';

const TAGS = 300;
const SETTLED_FILES = ['imagestreams.yaml', 'imagestreams.state.json', 'imagestreams.state.json.backup', 'layout'];

function record(report: KillRoundReport): void {
  console.log(report.log.join('\n'));
  tally({ kills: report.kills, losses: report.losses.length, duplicates: report.duplicates.length });
}

function expectNothingLost(report: KillRoundReport): void {
  expect(report.losses).toEqual([]);
  expect(report.duplicates).toEqual([]);
  expect(report.repeated).toEqual([]);
  expect(report.kills).toBeGreaterThan(0);
}

/** The apply that finishes the work, then the checks that it left a settled, complete state. */
async function finishAndCheck(workspace: Workspace, expected: Map<string, string[]>): Promise<void> {
  const apply = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
  expect(apply.code, apply.stderr).toBe(0);
  expect(settledMismatches(workspace.state(), expected)).toEqual([]);
  expect(settledMismatches(await replayedState(workspace), expected)).toEqual([]);
  const plan = await runCliMeasured(['plan', '--detailed-exitcode'], workspace.dir);
  expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  const leftovers = readdirSync(workspace.dir).filter((name) => !SETTLED_FILES.includes(name));
  expect(leftovers, 'no journal, lock or temporary file is left').toEqual([]);
}

describe(`kill -9 at random points of apply over ${TAGS} tags from an OCI layout`, () => {
  const workspace = new Workspace('imagestreams-kill-');
  let fleet: Fleet;

  beforeAll(() => {
    fleet = new Fleet(workspace.dir, TAGS);
    workspace.writeCatalog(fleet.catalog());
  });

  it('loses no completed import, duplicates nothing, and a final apply finishes the rest', async () => {
    const random = randomFor('kill layout create');
    const report = await killRound({ workspace, random, kills: 10, expected: fleet.expected() });
    record(report);
    expectNothingLost(report);
    await finishAndCheck(workspace, fleet.expected());
  });

  it('does the same while re-importing moved upstreams and removing tags', async () => {
    const moved = fleet.scheduledTags;
    const removed = fleet.tags.filter((t) => !t.scheduled && t.index % 10 === 1);
    fleet.publish(moved, 'v2');
    fleet.remove(removed);
    workspace.writeCatalog(fleet.catalog());
    const random = randomFor('kill layout update');
    const report = await killRound({ workspace, random, kills: 5, expected: fleet.expected() });
    record(report);
    expectNothingLost(report);
    await finishAndCheck(workspace, fleet.expected());
  });
});

describe('kill -9 at random points of apply from a registry', () => {
  const repositories = ['app0', 'app1', 'app2', 'app3', 'app4', 'app5'];
  const workspace = new Workspace('imagestreams-kill-registry-');
  let upstream: RegistryUpstream;

  beforeAll(async () => {
    upstream = await RegistryUpstream.start();
    upstream.addTags(repositories, 10);
    for (const repository of repositories) await upstream.publish(repository, 'v1');
    workspace.writeCatalog(upstream.catalog());
  });

  afterAll(() => upstream.stop());

  it('loses no completed import, duplicates nothing, and a final apply finishes the rest', async () => {
    const random = randomFor('kill registry');
    const report = await killRound({ workspace, random, kills: 5, expected: upstream.expected() });
    record(report);
    expectNothingLost(report);
    await finishAndCheck(workspace, upstream.expected());
  });
});

describe('an apply with nothing left to import, after a kill that left the journal behind', () => {
  it.each([
    ['killed before its commit: the journal holds removals the state file lacks', false],
    ['killed during its commit: the state file holds the removals, the journal was not removed yet', true],
  ])('%s: it leaves the state file complete and removes the journal', async (_name, committed) => {
    const workspace = new Workspace('imagestreams-kill-journaled-');
    const fleet = new Fleet(workspace.dir, 6, 2);
    workspace.writeCatalog(fleet.catalog());
    expect((await runCliMeasured(['apply', '--auto-approve'], workspace.dir)).code).toBe(0);
    const removed = fleet.tags.filter((t) => t.stream === 's1');
    fleet.remove(removed);
    workspace.writeCatalog(fleet.catalog());
    if (committed) expect((await runCliMeasured(['apply', '--auto-approve'], workspace.dir)).code).toBe(0);
    const { lineage, serial } = workspace.state();
    const records = removed.map((t) =>
      encodeJournalRecord({
        version: 1,
        lineage,
        serial: committed ? serial - 1 : serial,
        entry: { op: 'deleteTag', stream: t.stream, tag: t.tag },
      }),
    );
    writeFileSync(`${workspace.statePath}.journal`, records.join(''));

    await finishAndCheck(workspace, fleet.expected());
  });
});
