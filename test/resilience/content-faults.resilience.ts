import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ImportReason } from '../../src/core/errors.js';
import type { Fault } from '../helpers/fault-proxy.js';
import type { GeneratedImage } from '../helpers/images.js';
import { catalogText, insecure, type TagYaml, Workspace } from '../helpers/workspace.js';
import { type CliOutcome, runCliMeasured } from './support/cli-process.js';
import { RegistryUpstream } from './support/registry-upstream.js';
import { tally } from './support/run-context.js';

/**
 * A registry that serves a layer blob wrong while a Local tag is mirrored: every fault fails that tag alone, with an
 * ImportSuccess=False condition; the other imports of the run are recorded, the lock is released, the command exits
 * 1 and nothing of the bad blob is stored.
 */

const MiB = 1024 * 1024;
/** Over every size the code treats differently: the 4 MiB manifest cap, the 8 MiB config cap and upload chunk. */
const LARGE_LAYER_BYTES = 9 * MiB;

type Destination = 'layout' | 'registry';
type Size = 'small' | 'large';

const FAULTS: [name: string, fault: Fault, reason: ImportReason, message: RegExp][] = [
  ['wrong bytes', { kind: 'corruptBody' }, 'InvalidManifest', /content digest sha256:[0-9a-f]{64}, expected/],
  ['a short body', { kind: 'shortBody', keepBytes: 10 }, 'InvalidManifest', /: 10 bytes, expected \d+; refused/],
  ['a body that never ends', { kind: 'endlessBody' }, 'InvalidManifest', /more than the expected \d+ bytes/],
  ['a connection reset mid-body', { kind: 'truncate', afterBytes: 10 }, 'Unreachable', /interrupted|connection/],
];

let upstream: RegistryUpstream;
const images = {} as Record<Size | 'good', GeneratedImage>;

beforeAll(async () => {
  upstream = await RegistryUpstream.start();
  images.small = await upstream.pushImage('small', 'v1', { platforms: ['linux/amd64'] });
  images.large = await upstream.pushImage('large', 'v1', { platforms: ['linux/amd64'], layerBytes: LARGE_LAYER_BYTES });
  images.good = await upstream.pushImage('good', 'v1', { platforms: ['linux/amd64'] });
});

afterAll(() => upstream?.stop());

const layerOf = (size: Size) => images[size].platforms['linux/amd64']!.layerDigests[0]!;
const configOf = (size: Size) => images[size].platforms['linux/amd64']!.configDigest;

let workspaces = 0;

/**
 * A workspace whose catalog mirrors `team/<size>:v1` as `bad:t` and `team/good:v1` as `good:t` into `destination`:
 * a layout store of its own, or a namespace of its own in the local registry.
 */
function mirroring(destination: Destination, size: Size, scheduled = false): Workspace {
  const workspace = new Workspace(`imagestreams-content-faults-${destination}-${size}-`);
  const tag = (repository: string): TagYaml => ({
    from: `${upstream.proxy.host}/team/${repository}:v1`,
    referencePolicy: 'Local',
    scheduled,
  });
  const local =
    destination === 'layout' ? { layout: 'store' } : { registry: `${upstream.registry.host}/mirror${++workspaces}` };
  const catalog = catalogText({
    registries: insecure(upstream.proxy.host, upstream.registry.host),
    streams: { bad: { t: tag(size) }, good: { t: tag('good') } },
  });
  workspace.writeCatalog(`${catalog}${stringify({ local })}`);
  return workspace;
}

function injectOnBlob(size: Size, digest: string, fault: Fault): void {
  upstream.proxy.reset();
  upstream.proxy.inject(fault, { method: 'GET', path: `/v2/team/${size}/blobs/${digest}`, times: 100_000 });
}

const injectOnLayer = (size: Size, fault: Fault) => injectOnBlob(size, layerOf(size), fault);

function run(workspace: Workspace, args: readonly string[]): Promise<CliOutcome> {
  return runCliMeasured(args, workspace.dir, { timeoutMs: 120_000 });
}

/** Exit 1 by itself, no crash, the lock released, `bad:t` failed as expected and `good:t` imported. */
function expectTagFailedAlone(
  workspace: Workspace,
  outcome: CliOutcome,
  size: Size,
  reason: ImportReason,
  message: RegExp,
): void {
  const output = `exit ${outcome.code} (${outcome.stoppedBy})\n${outcome.stdout}${outcome.stderr}`;
  expect(outcome.stoppedBy, output).toBe('exit');
  expect(outcome.code, output).toBe(1);
  expect(output).not.toMatch(/Unhandled|internal error|\n {4}at /);
  expect(existsSync(`${workspace.statePath}.lock`), 'lock left behind').toBe(false);
  const { streams } = workspace.state();
  expect(streams.bad?.tags.t).toMatchObject({
    items: [],
    conditions: [{ type: 'ImportSuccess', status: 'False', reason, message: expect.stringMatching(message) }],
  });
  expect(streams.bad?.tags.t?.conditions[0]?.message).toContain(layerOf(size));
  expect(streams.good?.tags.t?.items).toHaveLength(1);
}

/** The layout store holds neither the bad blob nor a temporary file of it. */
function expectNothingStoredInLayout(workspace: Workspace, size: Size): void {
  const blobs = join(workspace.dir, 'store', 'bad', 'blobs', 'sha256');
  const names = existsSync(blobs) ? readdirSync(blobs) : [];
  expect(names.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  expect(names).not.toContain(layerOf(size).slice('sha256:'.length));
}

describe.each<[Destination, Size]>([
  ['layout', 'small'],
  ['layout', 'large'],
  ['registry', 'small'],
  ['registry', 'large'],
])('mirroring into a %s a %s layer the registry serves wrong', (destination, size) => {
  it.each(FAULTS)(
    '%s: apply fails that tag alone and exits 1; the next apply copies it',
    async (_name, fault, reason, message) => {
      const workspace = mirroring(destination, size);
      injectOnLayer(size, fault);
      const failed = await run(workspace, ['apply', '--auto-approve']);
      tally({ faults: upstream.faultsApplied() });
      expectTagFailedAlone(workspace, failed, size, reason, message);
      if (destination === 'layout') expectNothingStoredInLayout(workspace, size);

      upstream.proxy.reset();
      const recovered = await run(workspace, ['apply', '--auto-approve']);
      expect(recovered.code, recovered.stdout + recovered.stderr).toBe(0);
      expect(workspace.state().streams.bad?.tags.t?.items).toHaveLength(1);
      tally({ attacks: 1 });
    },
  );
});

/** An image config is read into memory (for the image's metadata), whatever the reference policy. */
const CONFIG_FAULTS: [name: string, fault: Fault, reason: ImportReason, message: RegExp][] = [
  ['wrong bytes', { kind: 'corruptBody' }, 'InvalidManifest', /content digest sha256:[0-9a-f]{64} does not match/],
  ['a short body', { kind: 'shortBody', keepBytes: 10 }, 'InvalidManifest', /content digest sha256:[0-9a-f]{64}/],
  ['a body that never ends', { kind: 'endlessBody' }, 'InvalidManifest', /over the 8\.0 MiB limit; refused/],
  ['a connection reset mid-body', { kind: 'truncate', afterBytes: 10 }, 'Unreachable', /interrupted|connection/],
];

describe('an image config the registry serves wrong', () => {
  it.each(CONFIG_FAULTS)(
    '%s: apply reports that tag, imports the others and exits 1',
    async (_name, fault, reason, message) => {
      const workspace = new Workspace('imagestreams-content-faults-config-');
      const tag = (repository: string): TagYaml => ({ from: `${upstream.proxy.host}/team/${repository}:v1` });
      workspace.writeCatalog(
        catalogText({
          registries: insecure(upstream.proxy.host),
          streams: { bad: { t: tag('small') }, good: { t: tag('good') } },
        }),
      );
      injectOnBlob('small', configOf('small'), fault);
      const failed = await run(workspace, ['apply', '--auto-approve']);
      tally({ faults: upstream.faultsApplied() });
      // A single image's config is read by the plan already: the tag is reported, and its state left as it is.
      const output = `exit ${failed.code} (${failed.stoppedBy})\n${failed.stdout}${failed.stderr}`;
      expect(failed.stoppedBy, output).toBe('exit');
      expect(failed.code, output).toBe(1);
      expect(output).not.toMatch(/Unhandled|internal error|\n {4}at /);
      expect(output).toMatch(new RegExp(`✗ bad:t: .*${configOf('small')}.*`));
      expect(output).toMatch(message);
      expect(output).toContain(`Import failed (${reason})`);
      expect(existsSync(`${workspace.statePath}.lock`), 'lock left behind').toBe(false);
      const { streams } = workspace.state();
      expect(streams.bad?.tags.t?.items ?? []).toEqual([]);
      expect(streams.good?.tags.t?.items).toHaveLength(1);
      tally({ attacks: 1 });
    },
  );
});

describe.each<Destination>(['layout', 'registry'])('the other commands that mirror into a %s', (destination) => {
  it('watch --once exits 1, the failure recorded and the lock released', async () => {
    const workspace = mirroring(destination, 'small', true);
    injectOnLayer('small', { kind: 'corruptBody' });
    const outcome = await run(workspace, ['watch', '--once']);
    tally({ faults: upstream.faultsApplied() });
    expectTagFailedAlone(workspace, outcome, 'small', 'InvalidManifest', /content digest/);
    tally({ attacks: 1 });
  });

  it('import-image exits 1, the failure recorded and the lock released', async () => {
    const workspace = mirroring(destination, 'small');
    injectOnLayer('small', { kind: 'endlessBody' });
    const outcome = await run(workspace, ['import-image', 'bad:t']);
    tally({ faults: upstream.faultsApplied() });
    const output = `${outcome.stdout}${outcome.stderr}`;
    expect(outcome.stoppedBy, output).toBe('exit');
    expect(outcome.code, output).toBe(1);
    expect(output).not.toMatch(/Unhandled|internal error|\n {4}at /);
    expect(existsSync(`${workspace.statePath}.lock`), 'lock left behind').toBe(false);
    expect(workspace.state().streams.bad?.tags.t?.conditions).toEqual([
      expect.objectContaining({ reason: 'InvalidManifest', message: expect.stringContaining(layerOf('small')) }),
    ]);
    tally({ attacks: 1 });
  });
});
