import { cpSync, existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { GeneratedLayout } from '../helpers/images.js';
import { catalogText, type TagYaml, Workspace } from '../helpers/workspace.js';
import { type CliOutcome, runCliMeasured } from './support/cli-process.js';
import { expectRefused, runOnHostileInput } from './support/hostile.js';
import {
  applyOneGoodTag,
  blobPath,
  copyLayout,
  OCI_MANIFEST,
  REF_NAME,
  sha256,
  writeLayoutIndex,
} from './support/layout-files.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';
import { CANARY } from './support/secrets.js';

/**
 * Symbolic links in an `oci:` source layout and in the local store: nothing is read, written or deleted through
 * one, the error names the link, and what a file outside holds never shows in any output.
 */

const workspace = new Workspace('imagestreams-content-links-');
let good: GeneratedLayout;

beforeAll(async () => {
  good = await applyOneGoodTag(workspace);
});

/** A file of the machine that runs the command (as a CI runner's config), holding a secret where a digest goes. */
function outsideSecretIndex(name: string): string {
  const dir = join(workspace.dir, 'secrets');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  const entry = { mediaType: OCI_MANIFEST, digest: CANARY.password, size: 1, annotations: { [REF_NAME]: 'bad' } };
  writeFileSync(path, JSON.stringify({ schemaVersion: 2, manifests: [entry], token: CANARY.bearerToken }));
  return path;
}

/** A copy of `entry` (a directory or a file of the good layout) outside the layout, in `secrets/`. */
function outsideCopy(name: string, entry: string): string {
  const path = join(workspace.dir, 'secrets', name);
  cpSync(entry, path, { recursive: true });
  return path;
}

/** Replaces `path` by a symbolic link to `target`. */
function linkInstead(path: string, target: string): void {
  rmSync(path, { recursive: true, force: true });
  symlinkSync(target, path);
}

const singleManifest = () => good.tags.single!.manifests[0]!.digest;

type LinkedLayout = [name: string, write: (dir: string) => void, message: RegExp];

const LINKED_SOURCE_LAYOUTS: LinkedLayout[] = [
  [
    'index.json linked to a file outside holding a secret',
    (dir) => linkInstead(join(dir, 'index.json'), outsideSecretIndex('index-link')),
    /index\.json is a symbolic link; refused/,
  ],
  [
    'index.json holding a secret where a digest goes',
    (dir) => cpSync(outsideSecretIndex('index-copy'), join(dir, 'index.json')),
    /index\.json manifests\[0\] has an invalid digest(?!\s*")/,
  ],
  [
    'index.json holding a secret where a media type goes',
    (dir) =>
      writeLayoutIndex(dir, [
        { mediaType: CANARY.password, ...digestAndSize(good.tags.single!), annotations: tag('bad') },
      ]),
    /is an OCI image manifest, but index\.json says an unknown media type; refused/,
  ],
  [
    'oci-layout linked to a file outside',
    (dir) => linkInstead(join(dir, 'oci-layout'), outsideCopy('oci-layout', join(good.dir, 'oci-layout'))),
    /oci-layout is a symbolic link; refused/,
  ],
  [
    'blobs linked to a directory outside',
    (dir) => linkInstead(join(dir, 'blobs'), outsideCopy('blobs-link', join(good.dir, 'blobs'))),
    /: blobs is a symbolic link; refused/,
  ],
  [
    'blobs/sha256 linked to a directory outside',
    (dir) => linkInstead(join(dir, 'blobs', 'sha256'), outsideCopy('sha256-link', join(good.dir, 'blobs', 'sha256'))),
    /: blobs\/sha256 is a symbolic link; refused/,
  ],
  [
    'a manifest linked to a copy of it outside',
    (dir) =>
      linkInstead(blobPath(dir, singleManifest()), outsideCopy('manifest-link', blobPath(good.dir, singleManifest()))),
    /blob sha256:[0-9a-f]{64} is a symbolic link; refused/,
  ],
];

describe('a source layout holding a symbolic link: plan and apply refuse it, quote nothing, write nothing', () => {
  it.each(LINKED_SOURCE_LAYOUTS)('%s', async (name, write, message) => {
    // Under `secrets/`: some of these layouts hold the secret themselves, which the leak sweep must pass over.
    const layout = `secrets/linked/${name.replace(/\W+/g, '-')}`;
    const dir = join(workspace.dir, layout);
    copyLayout(good.dir, dir);
    writeLayoutIndex(dir, [{ mediaType: OCI_MANIFEST, ...digestAndSize(good.tags.single!), annotations: tag('bad') }]);
    write(dir);
    workspace.writeCatalog({
      streams: { ok: { multi: { from: 'oci:good:multi' } }, hostile: { bad: { from: `oci:${layout}:bad` } } },
    });
    const before = treeSnapshot(workspace.dir);
    for (const args of [['plan'], ['apply', '--auto-approve']]) {
      const outcome = await runOnHostileInput(args, workspace.dir);
      expectRefused(outcome, message);
      expectNothingQuoted(outcome);
      expect(treeSnapshot(workspace.dir)).toEqual(before);
    }
    tally({ attacks: 1 });
  });
});

const digestAndSize = (image: { digest: string; size: number }) => ({ digest: image.digest, size: image.size });
const tag = (name: string) => ({ [REF_NAME]: name });

function expectNothingQuoted(outcome: CliOutcome): void {
  const output = `${outcome.stdout}${outcome.stderr}`;
  for (const secret of [CANARY.password, CANARY.bearerToken]) expect(output).not.toContain(secret);
}

/** What a link in the store leads to: a copy of the entry, and a file looking like an unused blob (prune bait). */
interface StoreLink {
  name: string;
  /** The entry of the store (below `store/`) replaced by a link. */
  entry: (store: StoreLayout) => string;
  /** How the error names it, relative to the store. */
  named: RegExp;
}

interface StoreLayout {
  dir: string;
  manifest: string;
}

const BAIT = sha256('not a blob of the store').slice('sha256:'.length);

const STORE_LINKS: StoreLink[] = [
  { name: 'the stream layout', entry: () => 'app', named: /app is a symbolic link/ },
  { name: 'blobs', entry: () => 'app/blobs', named: /app\/blobs is a symbolic link/ },
  { name: 'blobs/sha256', entry: () => 'app/blobs/sha256', named: /app\/blobs\/sha256 is a symbolic link/ },
  { name: 'index.json', entry: () => 'app/index.json', named: /app\/index\.json is a symbolic link/ },
  {
    name: 'a manifest blob',
    entry: (store) => `app/blobs/sha256/${store.manifest.slice('sha256:'.length)}`,
    named: /app\/blobs\/sha256\/[0-9a-f]{64} is a symbolic link/,
  },
];

/** A workspace whose store holds `app:one` (the single image), mirrored by a first apply. */
async function mirroredStore(name: string): Promise<{ store: Workspace; layout: StoreLayout }> {
  const store = new Workspace(`imagestreams-content-store-${name.replace(/\W+/g, '-')}-`);
  cpSync(good.dir, join(store.dir, 'good'), { recursive: true });
  writeStoreCatalog(store, { one: { from: 'oci:good:single', referencePolicy: 'Local' } });
  const first = await runCliMeasured(['apply', '--auto-approve'], store.dir);
  expect(first.code, first.stdout + first.stderr).toBe(0);
  return { store, layout: { dir: join(store.dir, 'store'), manifest: singleManifest() } };
}

function writeStoreCatalog(store: Workspace, tags: Record<string, TagYaml>): void {
  store.writeCatalog(`${catalogText({ streams: { app: tags } })}${stringify({ local: { layout: 'store' } })}`);
}

/** Replaces `entry` of the store by a link to a copy of it outside, with prune bait; returns the outside dir. */
function linkOutOfStore(layout: StoreLayout, outside: string, entry: string): void {
  const path = join(layout.dir, entry);
  const copy = join(outside, 'copy');
  mkdirSync(outside, { recursive: true });
  cpSync(path, copy, { recursive: true });
  writeFileSync(join(outside, BAIT), 'bait');
  for (const dir of [copy, join(copy, 'sha256'), join(copy, 'blobs', 'sha256')])
    if (existsSync(dir) && lstatSync(dir).isDirectory()) writeFileSync(join(dir, BAIT), 'bait');
  linkInstead(path, copy);
}

function expectFailedClean(outcome: CliOutcome, named: RegExp, store: Workspace): void {
  const output = `exit ${outcome.code} (${outcome.stoppedBy})\n${outcome.stdout}${outcome.stderr}`;
  expect(outcome.stoppedBy, output).toBe('exit');
  expect(outcome.code, output).toBe(1);
  expect(output).toMatch(named);
  expect(output).toMatch(/local store store: /);
  expect(output).not.toMatch(/Unhandled|internal error|\n {4}at /);
  expect(existsSync(`${store.statePath}.lock`), 'lock left behind').toBe(false);
}

describe('a symbolic link inside the local store: nothing is written or deleted through it', () => {
  it.each(STORE_LINKS)('$name linked out of the store: apply and prune --confirm refuse it', async (link) => {
    const { store, layout } = await mirroredStore(link.name);
    const outside = join(store.dir, 'outside');
    linkOutOfStore(layout, outside, link.entry(layout));
    const before = treeSnapshot(outside);
    writeStoreCatalog(store, {
      one: { from: 'oci:good:single', referencePolicy: 'Local' },
      again: { from: 'oci:good:single', referencePolicy: 'Local' },
      all: { from: 'oci:good:multi', referencePolicy: 'Local', importMode: 'PreserveOriginal' },
    });

    expectFailedClean(await runCliMeasured(['apply', '--auto-approve'], store.dir), link.named, store);
    expect(treeSnapshot(outside)).toEqual(before);

    const prune = ['prune', '--confirm', '--keep-tag-revisions=1', '--keep-younger-than=0'];
    expectFailedClean(await runCliMeasured(prune, store.dir), link.named, store);
    expect(treeSnapshot(outside)).toEqual(before);
    tally({ attacks: 1 });
  });
});
