import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../helpers/fault-proxy.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused, expectWithinMemory, runOnHostileInput } from './support/hostile.js';
import { OCI_INDEX, OCI_MANIFEST, sha256 } from './support/layout-files.js';
import { treeSnapshot } from './support/no-change.js';
import { RegistryUpstream } from './support/registry-upstream.js';
import { tally } from './support/run-context.js';

const TEN_MB = 10 << 20;

let upstream: RegistryUpstream;
const workspace = new Workspace('imagestreams-hostile-registry-');

/** `good:t0` imports app0 and is applied first; `bad:t0` imports app1, whose answers the proxy falsifies. */
beforeAll(async () => {
  upstream = await RegistryUpstream.start();
  upstream.addTags(['good', 'bad'], 1);
  await upstream.publish('good', 'v1');
  await upstream.publish('bad', 'v1');
  const catalog = upstream.catalog();
  workspace.writeCatalog({ registries: catalog.registries, streams: { good: catalog.streams.good! } });
  const apply = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
  expect(apply.code, apply.stderr).toBe(0);
  workspace.writeCatalog(catalog);
});

afterAll(() => upstream.stop());

beforeEach(() => upstream.proxy.reset());

const BAD_MANIFESTS = /^\/v2\/team\/bad\/manifests\//;

/** A hostile registry answer: the fault the proxy gives every manifest GET for `bad`, and the error expected. */
type HostileAnswer = [name: string, fault: Fault, message: RegExp];

const HOSTILE_ANSWERS: HostileAnswer[] = [
  [
    'a 10 MB manifest, its length declared',
    { kind: 'oversize', bytes: TEN_MB },
    /team\/bad(?::v1|@sha256:[0-9a-f]{64}) is 10\.0 MiB, over the 4\.0 MiB limit; refused/,
  ],
  [
    'a 10 MB manifest, sent chunked',
    { kind: 'oversize', bytes: TEN_MB, declareLength: false },
    /team\/bad(?::v1|@sha256:[0-9a-f]{64}) is more than 4\.\d MiB, over the 4\.0 MiB limit; refused/,
  ],
  [
    'a manifest body that never ends',
    { kind: 'oversize', bytes: Number.MAX_SAFE_INTEGER, declareLength: false },
    /team\/bad(?::v1|@sha256:[0-9a-f]{64}) is more than 4\.\d MiB, over the 4\.0 MiB limit; refused/,
  ],
  [
    'a manifest whose bytes do not match its digest',
    { kind: 'replaceBody', body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }) },
    /content digest sha256:[0-9a-f]{64} does not match the expected sha256:[0-9a-f]{64}/,
  ],
  [
    'a 50 MB error body',
    {
      kind: 'status',
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"${'x'.repeat(50 << 20)}"}]}`,
    },
    /team\/bad(?::v1|@sha256:[0-9a-f]{64}) not found: repository \S+\/team\/bad has no (?:tag "v1"|manifest sha256:)/,
  ],
];

describe('a hostile registry answer: plan and apply refuse it with a clear error, in bounded memory, writing nothing', () => {
  it.each(HOSTILE_ANSWERS)('%s', async (_name, fault, message) => {
    const before = treeSnapshot(workspace.dir);
    for (const args of [['plan'], ['apply', '--auto-approve']]) {
      upstream.proxy.reset();
      upstream.proxy.inject(fault, { method: 'GET', path: BAD_MANIFESTS, times: 1000 });
      expectRefused(await runOnHostileInput(args, workspace.dir), message);
      expect(treeSnapshot(workspace.dir)).toEqual(before);
      tally({ faults: upstream.faultsApplied() });
    }
    tally({ inputs: 1 });
  });
});

describe('an index with 10,000 children from a registry', () => {
  /** The real index of `bad` rewritten with 9,999 made-up platforms before its linux/amd64 child. */
  async function forgeWideIndex(): Promise<{ bytes: string; digest: string }> {
    const listed = await fetch(`${upstream.registry.url}/v2/team/bad/manifests/v1`, { headers: { accept: OCI_INDEX } });
    const real = (await listed.json()) as {
      manifests: { digest: string; size: number; platform: { architecture: string } }[];
    };
    const amd64 = real.manifests.find((m) => m.platform.architecture === 'amd64')!;
    const child = (architecture: string) => ({
      mediaType: OCI_MANIFEST,
      digest: amd64.digest,
      size: amd64.size,
      platform: { os: 'linux', architecture },
    });
    const manifests = [...Array.from({ length: 9_999 }, (_, i) => child(`arch${i}`)), child('amd64')];
    const bytes = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
    return { bytes, digest: sha256(bytes) };
  }

  it('is planned and imported in bounded memory, Legacy keeping its linux/amd64 child', async () => {
    const wide = await forgeWideIndex();
    const answer = (body: string): Fault => ({
      kind: 'status',
      status: 200,
      headers: {
        'content-type': OCI_INDEX,
        'docker-content-digest': wide.digest,
        'content-length': String(Buffer.byteLength(wide.bytes)),
      },
      body,
    });
    upstream.proxy.inject(answer(''), { method: 'HEAD', path: '/v2/team/bad/manifests/v1', times: 1000 });
    for (const reference of ['v1', wide.digest]) {
      upstream.proxy.inject(answer(wide.bytes), {
        method: 'GET',
        path: `/v2/team/bad/manifests/${reference}`,
        times: 1000,
      });
    }
    tally({ inputs: 1 });

    const plan = await runOnHostileInput(['plan'], workspace.dir);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/\+ bad:t0 .*\(Legacy: linux\/amd64 by default platform/);
    expectWithinMemory(plan);
    const apply = await runOnHostileInput(['apply', '--auto-approve'], workspace.dir);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expectWithinMemory(apply);
    tally({ faults: upstream.faultsApplied() });
    const item = workspace.state().streams.bad!.tags.t0!.items[0]!;
    expect(item.sourceDigest).toBe(wide.digest);
    expect(item.manifests.map((m) => m.platform)).toEqual(['linux/amd64']);
  });
});
