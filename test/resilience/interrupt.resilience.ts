import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, readLock } from '../../src/state/index.js';
import { eventually } from '../helpers/watch-workspace.js';
import { catalogText, Workspace } from '../helpers/workspace.js';
import { type CliOutcome, type CliProcess, runCliMeasured, startCli } from './support/cli-process.js';
import { RegistryUpstream } from './support/registry-upstream.js';
import { replayedState, settledMismatches, tagsOf } from './support/state-checks.js';

/**
 * Three Local tags, imported two at a time: app0:t0 lands, while the layers of app1:t0 and app2:t0 are held (they stay
 * in progress) until the test has interrupted the apply.
 */
const HELD_BLOBS = /^\/v2\/team\/app[12]\/blobs\//;
const FIRST_IMPORTED = /app0:t0: imported sha256:/;
const STOPPING = /^Interrupt received\. Stopping gracefully: .* Interrupt again to stop at once\.$/m;
const APP0_MANIFESTS = /^\/v2\/team\/app0\/manifests\//;
const STACK_FRAME = /^\s+at /m;

let upstream: RegistryUpstream;
let workspace: Workspace;
let releaseHeld = () => {};

beforeAll(async () => {
  upstream = await RegistryUpstream.start();
  upstream.addTags(['app0', 'app1', 'app2'], 1);
  for (const repository of ['app0', 'app1', 'app2']) await upstream.publish(repository, 'v1');
});

afterAll(() => upstream.stop());

beforeEach(() => {
  workspace = new Workspace('imagestreams-interrupt-');
  const catalog = catalogText({ ...upstream.catalog(), defaults: { referencePolicy: 'Local' } });
  workspace.writeCatalog(`${catalog}local:\n  layout: store\n`);
  upstream.proxy.reset();
});

afterEach(() => releaseHeld());

/** Holds the requests matching `path` (any method) until `releaseHeld()`. */
function hold(path: RegExp): void {
  const released = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  upstream.proxy.inject({ kind: 'hold', until: released }, { path, times: 10_000 });
}

/** An apply (of `planFile` when given) that has recorded app0:t0, with the others in progress. */
async function applyHalfway(planFile?: string): Promise<CliProcess> {
  hold(HELD_BLOBS);
  const args = planFile ? ['apply', planFile] : ['apply', '--auto-approve'];
  const apply = startCli([...args, '--concurrency', '2'], workspace.dir);
  await apply.waitForLines(FIRST_IMPORTED);
  return apply;
}

const lockFile = () => `${workspace.statePath}.lock`;

function expectCleanError(outcome: CliOutcome): void {
  expect(outcome.code, outcome.stderr).toBe(1);
  expect(outcome.signal).toBeNull();
  expect(outcome.stderr).not.toMatch(STACK_FRAME);
  expect(outcome.stderr).not.toContain('internal error');
  expect(existsSync(lockFile())).toBe(false);
}

/** Without the lock left behind, the next plan sees the rest and the next apply imports it. */
async function expectTheRestApplies(): Promise<void> {
  releaseHeld();
  const plan = await runCliMeasured(['plan', '--detailed-exitcode'], workspace.dir);
  expect(plan.code, plan.stderr).toBe(2);
  expect(plan.stdout).toMatch(/Plan: 2 to import/);
  const apply = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
  expect(apply.code, apply.stderr).toBe(0);
  expect(settledMismatches(workspace.state(), upstream.expected())).toEqual([]);
  expect(existsSync(lockFile())).toBe(false);
}

describe('apply interrupted', () => {
  it.each([
    ['fresh', false],
    ['of a saved plan', true],
  ])(
    '%s, by one signal stops gracefully: what completed is committed, the lock released, the rest left to apply',
    async (_, saved) => {
      if (saved) expect((await runCliMeasured(['plan', '--out', 'plan.bin'], workspace.dir)).code).toBe(0);
      const apply = await applyHalfway(saved ? 'plan.bin' : undefined);
      apply.signal('SIGINT');
      const outcome = await apply.outcome;
      expectCleanError(outcome);
      expect(outcome.stderr).toMatch(STOPPING);
      expect(outcome.stderr).toMatch(
        /^error: interrupted: 1 tag done \(recorded in the state\), 2 tags left \(app1:t0, app2:t0\); run 'imagestreams apply' to finish the rest$/m,
      );
      // Committed to the state file itself, not only kept in the journal.
      expect(existsSync(`${workspace.statePath}.journal`)).toBe(false);
      expect([...tagsOf(workspace.state()).keys()]).toEqual(['app0:t0']);
      await expectTheRestApplies();
    },
  );

  it('by a second signal stops at once, releasing the lock; the journal keeps what completed', async () => {
    const apply = await applyHalfway();
    apply.signal('SIGINT');
    await apply.waitForLines(STOPPING);
    apply.signal('SIGTERM');
    const outcome = await apply.outcome;
    expectCleanError(outcome);
    expect(outcome.stderr).toMatch(
      /^error: stopped at once \(SIGTERM\): the state lock was released, and what was imported is kept; run 'imagestreams apply' to finish$/m,
    );
    expect([...tagsOf(await replayedState(workspace)).keys()]).toEqual(['app0:t0']);
    await expectTheRestApplies();
  });

  it('while it plans under the lock, exits at once without leaving the lock', async () => {
    hold(APP0_MANIFESTS);
    const apply = startCli(['apply', '--auto-approve'], workspace.dir);
    await eventually(
      () => (upstream.proxy.count({ path: APP0_MANIFESTS }) > 0 ? true : undefined),
      'a manifest request',
    );
    expect(existsSync(lockFile())).toBe(true);
    apply.signal('SIGINT');
    const outcome = await apply.outcome;
    expectCleanError(outcome);
    expect(outcome.stderr).toMatch(/^error: stopped at once \(SIGINT\): the state lock was released/m);
    releaseHeld();
    const plan = await runCliMeasured(['plan', '--detailed-exitcode'], workspace.dir);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/Plan: 3 to import/);
  });
});

describe('apply waiting with --lock-timeout for the lock of another process', () => {
  it.each([['SIGINT'], ['SIGTERM']] as const)(
    'ends as %s ends any program, leaving the other process its lock',
    async (signal) => {
      const other = await acquireLock(workspace.statePath, { operation: 'apply' });
      try {
        const waiting = startCli(['apply', '--auto-approve', '--lock-timeout', '5m'], workspace.dir);
        await sleep(1_500);
        waiting.signal(signal);
        waiting.signal(signal);
        const outcome = await waiting.outcome;
        expect(outcome.signal, outcome.stderr).toBe(signal);
        expect((await readLock(workspace.statePath))?.id).toBe(other.info.id);
      } finally {
        await other.release();
      }
    },
  );
});

describe('apply interrupted by signals in quick succession', () => {
  it('stops at once at the second, releasing the lock; the journal keeps what completed', async () => {
    const apply = await applyHalfway();
    apply.signal('SIGTERM');
    apply.signal('SIGINT');
    apply.signal('SIGINT');
    const outcome = await apply.outcome;
    expectCleanError(outcome);
    // Signals sent together may be delivered in either order.
    expect(outcome.stderr).toMatch(/^error: stopped at once \(SIG(INT|TERM)\): the state lock was released/m);
    expect([...tagsOf(await replayedState(workspace)).keys()]).toEqual(['app0:t0']);
    await expectTheRestApplies();
  });
});

describe('import-image interrupted', () => {
  it('by one signal abandons the held import after the grace period and releases the lock', async () => {
    hold(HELD_BLOBS);
    const running = startCli(['import-image', 'app1:t0'], workspace.dir);
    await running.waitForLines(/^app1:t0: importing…$/);
    running.signal('SIGTERM');
    const outcome = await running.outcome;
    expectCleanError(outcome);
    expect(outcome.stderr).toMatch(STOPPING);
    expect(outcome.stderr).toMatch(
      /^error: interrupted: 0 tags done \(recorded in the state\), 1 tag left \(app1:t0\); run 'imagestreams apply' \(or this import-image again\) to finish the rest$/m,
    );
    releaseHeld();
    const apply = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
    expect(apply.code, apply.stderr).toBe(0);
    expect(settledMismatches(workspace.state(), upstream.expected())).toEqual([]);
  });
});
