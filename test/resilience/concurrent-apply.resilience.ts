import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { catalogText, Workspace } from '../helpers/workspace.js';
import { runCliMeasured, startCli } from './support/cli-process.js';
import { RegistryUpstream } from './support/registry-upstream.js';
import { replayedState, settledMismatches } from './support/state-checks.js';

/**
 * Slows every blob request. The tags are Local, so each import copies its layers into the local store while `apply`
 * holds the state lock: the imports themselves take a few seconds, whatever planning has already read. Where a test
 * needs the lock held until it has seen something, it holds the blob requests instead (`holdBlobs`).
 */
const SLOW_BLOBS = { kind: 'delay', ms: 150 } as const;
const BLOB = /^\/v2\/team\/[^/]+\/blobs\//;
const FIRST_IMPORT = /: importing…$/;
const LOCKED = 'error: cannot lock the state: ';

let upstream: RegistryUpstream;
let workspace: Workspace;
let releaseBlobs = () => {};

beforeAll(async () => {
  upstream = await RegistryUpstream.start();
  upstream.addTags(['app0', 'app1', 'app2', 'app3'], 5);
  for (const repository of ['app0', 'app1', 'app2', 'app3']) await upstream.publish(repository, 'v1');
});

afterAll(() => upstream.stop());

beforeEach(() => {
  workspace = new Workspace('imagestreams-concurrent-');
  const catalog = catalogText({ ...upstream.catalog(), defaults: { referencePolicy: 'Local' } });
  workspace.writeCatalog(`${catalog}local:\n  layout: store\n`);
  upstream.proxy.reset();
});

afterEach(() => releaseBlobs());

/**
 * Holds the blob requests matching `path` until `releaseBlobs()`: an apply that got the lock stays in its imports,
 * however long another process takes to start, until the test has seen what it waits for.
 */
function holdBlobs(path: RegExp = BLOB): void {
  const released = new Promise<void>((resolve) => {
    releaseBlobs = resolve;
  });
  upstream.proxy.inject({ kind: 'hold', until: released }, { method: 'GET', path, times: 10_000 });
}

/** An apply that imports two tags at a time. */
function applyTwoAtATime(...extra: string[]) {
  return startCli(['apply', '--auto-approve', '--concurrency', '2', ...extra], workspace.dir);
}

async function expectComplete(): Promise<void> {
  expect(settledMismatches(workspace.state(), upstream.expected())).toEqual([]);
  expect(existsSync(`${workspace.statePath}.lock`)).toBe(false);
  expect(existsSync(`${workspace.statePath}.journal`)).toBe(false);
}

describe('two applies on one state', () => {
  it('the second fails at once with the lock info of the first, which finishes undisturbed', async () => {
    holdBlobs();
    const first = applyTwoAtATime();
    await first.waitForLines(FIRST_IMPORT);
    const running = startCli(['apply', '--auto-approve'], workspace.dir);
    // The imports wait until the second has ended, or is importing too (it got the lock).
    void Promise.race([running.outcome, running.waitForLines(FIRST_IMPORT)]).then(releaseBlobs, releaseBlobs);
    const second = await running.outcome;
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(LOCKED);
    expect(second.stderr).toMatch(/Lock Info:\n {2}ID: +\S+\n {2}Path: +\S+\n {2}Operation: +apply\n/);
    expect(second.stderr).toMatch(new RegExp(`PID: +${first.pid}\\n`));
    expect(second.stderr).toMatch(/imagestreams force-unlock \S+/);
    expect((await first.outcome).code).toBe(0);
    await expectComplete();
    expect(workspace.state().serial).toBe(1);
  });

  it('with --lock-timeout the second waits for the first, then finds nothing left to do', async () => {
    upstream.proxy.inject(SLOW_BLOBS, { method: 'GET', path: BLOB, times: 10_000 });
    const first = applyTwoAtATime();
    await first.waitForLines(FIRST_IMPORT);
    const second = startCli(['apply', '--auto-approve', '--lock-timeout', '5m'], workspace.dir);
    const ended: string[] = [];
    const [firstOutcome, secondOutcome] = await Promise.all([
      first.outcome.finally(() => ended.push('first')),
      second.outcome.finally(() => ended.push('second')),
    ]);
    expect(ended).toEqual(['first', 'second']);
    expect(firstOutcome.code).toBe(0);
    expect(secondOutcome.code, secondOutcome.stderr).toBe(0);
    expect(secondOutcome.stdout).toMatch(/No changes\. 20 tags up to date\./);
    await expectComplete();
    expect(workspace.state().serial).toBe(1);
  });

  it('started together, exactly one imports and the other is locked out', async () => {
    holdBlobs();
    const [a, b] = [applyTwoAtATime(), applyTwoAtATime()];
    // The imports wait until one of them has ended, locked out, or until both are importing (neither was).
    const bothImporting = Promise.all([a.waitForLines(FIRST_IMPORT), b.waitForLines(FIRST_IMPORT)]);
    void Promise.race([a.outcome, b.outcome, bothImporting]).then(releaseBlobs, releaseBlobs);
    const outcomes = await Promise.all([a.outcome, b.outcome]);
    expect(outcomes.map((o) => o.code).sort()).toEqual([0, 1]);
    const loser = outcomes.find((o) => o.code === 1)!;
    const winner = outcomes[0] === loser ? b : a;
    expect(loser.stderr).toContain(LOCKED);
    expect(loser.stderr).toMatch(new RegExp(`PID: +${winner.pid}\\n`));
    await expectComplete();
    expect(workspace.state().serial).toBe(1);
  });

  it('a plan during an apply reads a consistent state and takes no lock', async () => {
    // The last repository's layers wait until the plan is done: the apply has tags left to import meanwhile.
    holdBlobs(upstream.layerBlobs('app3'));
    const apply = applyTwoAtATime();
    await apply.waitForLines(/: imported sha256:/, 3);
    const plan = await runCliMeasured(['plan', '--detailed-exitcode'], workspace.dir);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/Plan: \d+ to import/);
    const replayed = await replayedState(workspace);
    expect(Object.keys(replayed.streams).length).toBeGreaterThan(0);
    releaseBlobs();
    expect((await apply.outcome).code).toBe(0);
    await expectComplete();
  });
});
