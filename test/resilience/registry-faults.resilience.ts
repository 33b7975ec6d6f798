import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReason } from '../../src/core/errors.js';
import { type Fault, serviceUnavailable, tooManyRequests } from '../helpers/fault-proxy.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { RegistryUpstream } from './support/registry-upstream.js';
import { tally } from './support/run-context.js';
import { settledMismatches, tagsOf } from './support/state-checks.js';

const REPOSITORIES = ['app0', 'app1', 'app2', 'app3', 'app4', 'app5'];
const RESET: Fault = { kind: 'reset' };

const manifests = (repository: string) => new RegExp(`^/v2/team/${repository}/manifests/`);
const blobs = (repository: string) => new RegExp(`^/v2/team/${repository}/blobs/`);

let upstream: RegistryUpstream;
const workspace = new Workspace('imagestreams-faults-');

beforeAll(async () => {
  upstream = await RegistryUpstream.start();
  upstream.addTags(REPOSITORIES, 4);
  for (const repository of REPOSITORIES) await upstream.publish(repository, 'v1');
  workspace.writeCatalog(upstream.catalog());
});

afterAll(() => upstream.stop());

function apply() {
  return runCliMeasured(['apply', '--auto-approve'], workspace.dir, { timeoutMs: 240_000 });
}

/** Injects `faults` in turn on the next requests matching `match`, and returns how many that is. */
function burst(faults: readonly Fault[], match: { method: string; path: RegExp }): number {
  for (const fault of faults) upstream.proxy.inject(fault, match);
  return faults.length;
}

describe('a registry that fails for a while', () => {
  it('429, 503 and resets within the retry budget: apply imports everything, records no condition', async () => {
    upstream.proxy.reset();
    let injected = 0;
    for (const repository of REPOSITORIES) {
      // At most four faults per kind of request of a repository: one request never sees more than its 4 retries.
      // (A first apply sends no HEAD: every tag is new, so its manifest is fetched by tag at once.)
      injected += burst([serviceUnavailable(), RESET, tooManyRequests(0), serviceUnavailable()], {
        method: 'GET',
        path: manifests(repository),
      });
      injected += burst([RESET, serviceUnavailable(), tooManyRequests(0), RESET], {
        method: 'GET',
        path: blobs(repository),
      });
    }
    const result = await apply();
    tally({ faults: upstream.faultsApplied() });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(upstream.faultsApplied()).toBe(injected);
    expect(settledMismatches(workspace.state(), upstream.expected())).toEqual([]);

    // The next plan checks every tag with one HEAD: those fail for a while too.
    upstream.proxy.reset();
    let headFaults = 0;
    for (const repository of REPOSITORIES) {
      headFaults += burst([tooManyRequests(1), serviceUnavailable(), RESET], {
        method: 'HEAD',
        path: manifests(repository),
      });
    }
    const plan = await runCliMeasured(['plan', '--detailed-exitcode'], workspace.dir, { timeoutMs: 240_000 });
    tally({ faults: upstream.faultsApplied() });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(upstream.faultsApplied()).toBe(headFaults);
  });

  it.each<[string, Fault, ImportReason, RegExp]>([
    ['503 for good', serviceUnavailable(), 'InternalError', /answered HTTP 503/],
    ['429 asking to wait an hour', tooManyRequests(3600), 'TooManyRequests', /rate limiting/],
    ['resets for good', RESET, 'Unreachable', /connection reset|connection closed/],
  ])(
    '%s after the retry budget: the import fails with a condition and keeps the previous item',
    async (_name, fault, reason, message) => {
      const repository = REPOSITORIES[0]!;
      await upstream.publish(repository, `moved-${reason}`);
      const affected = upstream.tags.filter((t) => t.repository === repository).map((t) => t.address);
      const before = tagsOf(workspace.state());
      upstream.proxy.reset();
      upstream.proxy.inject(fault, { method: 'GET', path: blobs(repository), times: 100_000 });

      const failed = await apply();
      tally({ faults: upstream.faultsApplied() });
      expect(failed.code).toBe(1);
      for (const address of affected) expect(failed.stdout).toContain(`✗ ${address}: Import failed (${reason}): `);
      const after = tagsOf(workspace.state());
      for (const address of affected) {
        expect(after.get(address)?.items).toEqual(before.get(address)?.items);
        expect(after.get(address)?.conditions).toEqual([
          expect.objectContaining({
            type: 'ImportSuccess',
            status: 'False',
            reason,
            message: expect.stringMatching(message),
          }),
        ]);
      }
      expect(existsSync(`${workspace.statePath}.lock`)).toBe(false);

      upstream.proxy.reset();
      const recovered = await apply();
      expect(recovered.code, recovered.stdout + recovered.stderr).toBe(0);
      expect(settledMismatches(workspace.state(), upstream.expected())).toEqual([]);
    },
  );

  it('503 for good while resolving the tag: apply reports it as failed and leaves the state as it is', async () => {
    const repository = REPOSITORIES[1]!;
    const stateBefore = workspace.stateBytes();
    await upstream.publish(repository, 'moved-unresolvable');
    const affected = upstream.tags.filter((t) => t.repository === repository).map((t) => t.address);
    upstream.proxy.reset();
    upstream.proxy.inject(serviceUnavailable(), { path: manifests(repository), times: 100_000 });

    const failed = await apply();
    tally({ faults: upstream.faultsApplied() });
    expect(failed.code).toBe(1);
    for (const address of affected) expect(failed.stdout).toMatch(new RegExp(`✗ ${address}: .*HTTP 503`));
    expect(workspace.stateBytes()).toEqual(stateBefore);

    upstream.proxy.reset();
    const recovered = await apply();
    expect(recovered.code, recovered.stdout + recovered.stderr).toBe(0);
    expect(settledMismatches(workspace.state(), upstream.expected())).toEqual([]);
  });
});
