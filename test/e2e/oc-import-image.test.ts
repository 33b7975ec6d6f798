import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../src/core/state-model.js';
import { acquireLock } from '../../src/state/index.js';
import { type CliResult, runCli, tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type GeneratedLayout, writeImageLayout } from '../helpers/images.js';
import { pushLayout } from '../helpers/skopeo.js';

const work = tempDir('imagestreams-oc-import-');
const { registry } = useRegistry();
let layout: GeneratedLayout;
let host: string;

beforeAll(async () => {
  layout = writeImageLayout(join(work.path, 'layout'), {
    tags: {
      multi: {
        platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'],
        attestations: true,
        labels: { 'org.opencontainers.image.title': 'app' },
      },
      single: { platforms: ['linux/arm64'] },
      moved: { platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'], seed: 'moved' },
    },
  });
  host = registry.host;
  for (const tag of ['multi', 'single']) await pushLayout(layout.dir, tag, registry, `team/app:${tag}`);
});

afterAll(async () => {
  work.remove();
});

/** A catalog as a team writes it: comments (some aligned), quoting of several kinds, a flow mapping. */
function teamCatalog(): string {
  return `# Team catalog: reviewed in pull requests, applied after merge.
apiVersion: imagestreams/v1
kind: Catalog
defaults:                            # every tag gets these
  importMode: Legacy                 # one platform per tag
registries:
  "${host}":
    insecure: true                   # the test registry speaks plain HTTP
streams:
  app:
    tags:
      # the release line
      stable:
        from: '${host}/team/app:multi'   # pinned on purpose
        preferPlatform: linux/arm64
      "1.0": { from: "${host}/team/app:single" }
`;
}

interface Workspace {
  dir: string;
  catalog(): string;
  state(): State | undefined;
  run(...args: string[]): Promise<CliResult>;
}

let count = 0;
function workspace(catalog: string | null = teamCatalog()): Workspace {
  const dir = join(work.path, `ws-${++count}`);
  mkdirSync(dir);
  const catalogPath = join(dir, 'imagestreams.yaml');
  if (catalog !== null) writeFileSync(catalogPath, catalog);
  const statePath = join(dir, 'imagestreams.state.json');
  return {
    dir,
    catalog: () => readFileSync(catalogPath, 'utf8'),
    state: () => (existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as State) : undefined),
    run: (...args) => runCli(args, { cwd: dir }),
  };
}

/** The lines an edit removed and added, compared line by line. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.added) added.push(...lines);
    if (part.removed) removed.push(...lines);
  }
  return { removed, added };
}

const platformDigest = (tag: string, platform: string) => layout.tags[tag]!.platforms[platform]!.digest;

describe('import-image --confirm', () => {
  it.each([
    [
      'a new stream',
      ['web', `--from=${'HOST'}/team/app:single`],
      /^error: no image stream named "web" exists, pass --confirm to create and import \(nothing was written\)\n$/,
    ],
    [
      'a new tag',
      ['app:next', '--from=HOST/team/app:single'],
      /^error: the tag "next" does not exist on the image stream "app", pass --confirm to create and import it \(nothing was written\)\n$/,
    ],
    [
      'a changed source',
      ['app:stable', '--from=HOST/team/app:single'],
      /^error: the tag "stable" points to "127\.0\.0\.1:\d+\/team\/app:multi", pass --confirm to change its source to "127\.0\.0\.1:\d+\/team\/app:single" \(nothing was written\)\n$/,
    ],
  ])('is required for %s: without it nothing is written', async (_name, args, message) => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', ...args.map((a) => a.replace('HOST', host)));
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(ws.catalog()).toBe(before);
    expect(ws.state()).toBeUndefined();
  });

  it('creates a stream, writing only its lines at the end of the catalog, and imports it', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'web', `--from=${host}/team/app:single`, '--confirm');
    expect(result.stderr).toContain('Wrote web:latest to imagestreams.yaml.');
    expect(result.code).toBe(0);
    expect(ws.catalog()).toBe(`${before}  web:\n    tags:\n      latest:\n        from: ${host}/team/app:single\n`);
    expect(result.stdout).toMatch(/^imagestream\/web imported\n\nName: +web\nCatalog: +imagestreams\.yaml\n/);
    const item = ws.state()!.streams.web!.tags.latest!.items[0]!;
    expect(item.digest).toBe(layout.tags.single!.digest);
    expect(result.stdout).toContain(`\nImage Name:    web:latest\nDocker Image:  ${host}/team/app@${item.digest}\n`);
  });

  it('creates a tag in an existing stream after its last tag', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:next', `--from=${host}/team/app:multi`, '--confirm');
    expect(result.code).toBe(0);
    expect(changedLines(before, ws.catalog())).toEqual({
      removed: [],
      added: ['      next:', `        from: ${host}/team/app:multi`],
    });
    expect(ws.state()!.streams.app!.tags.next!.items[0]!.digest).toBe(platformDigest('multi', 'linux/amd64'));
  });

  it('changes a source in place, keeping its quotes and its comment', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:stable', `--from=${host}/team/app:single`, '--confirm');
    expect(result.code).toBe(0);
    expect(ws.catalog()).toBe(
      before.replace(`'${host}/team/app:multi'   # pinned`, `'${host}/team/app:single'   # pinned`),
    );
  });

  it('creates the catalog file when there is none', async () => {
    const ws = workspace(null);
    const refused = await ws.run('import-image', 'web', `--from=${host}/team/app:single`, '--insecure');
    expect(refused.stderr).toMatch(/^error: imagestreams\.yaml does not exist, pass --confirm to create it/);
    const result = await ws.run('import-image', 'web', `--from=${host}/team/app:single`, '--insecure', '--confirm');
    expect(result.code).toBe(0);
    expect(ws.catalog()).toBe(
      `apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  web:\n    tags:\n      latest:\n        from: ${host}/team/app:single\n        insecure: true\n`,
    );
  });
});

describe('import-image of an existing tag', () => {
  it('re-imports its current source without --from, leaving the catalog byte for byte as it was', async () => {
    const ws = workspace();
    const before = ws.catalog();
    expect((await ws.run('import-image', 'app:stable')).code).toBe(0);
    const again = await ws.run('import-image', 'app:stable');
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('Wrote');
    expect(ws.catalog()).toBe(before);
    expect(ws.state()!.streams.app!.tags.stable!.items.map((i) => i.digest)).toEqual([
      platformDigest('multi', 'linux/arm64'),
    ]);
  });

  it('needs no --confirm for --from naming the current source in another spelling', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:stable', `--from=docker://${host}/team/app:multi`);
    expect(result.code).toBe(0);
    expect(ws.catalog()).toBe(before);
  });

  it('imports the new upstream image when the source tag moved, keeping the old one in the history', async () => {
    await pushLayout(layout.dir, 'multi', registry, 'team/app:rolling');
    const ws = workspace(teamCatalog().replace('team/app:multi', 'team/app:rolling'));
    expect((await ws.run('import-image', 'app:stable')).code).toBe(0);
    await pushLayout(layout.dir, 'moved', registry, 'team/app:rolling');
    const result = await ws.run('import-image', 'app:stable');
    expect(result.code).toBe(0);
    const items = ws.state()!.streams.app!.tags.stable!.items;
    expect(items.map((i) => i.digest)).toEqual([
      platformDigest('moved', 'linux/arm64'),
      platformDigest('multi', 'linux/arm64'),
    ]);
    expect(result.stdout).toMatch(
      /\n {2}\* 127\.0\.0\.1:\d+\/team\/app@sha256:[0-9a-f]{64}\n {6}(Less than a second|1 second|\d+ seconds) ago\n {4}127\.0\.0\.1/,
    );
  });
});

describe('import-image --import-mode', () => {
  it('writes PreserveOriginal and imports the whole index, attestations counted', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:stable', '--import-mode=PreserveOriginal');
    expect(result.code).toBe(0);
    expect(changedLines(before, ws.catalog())).toEqual({
      removed: [],
      added: ['        importMode: PreserveOriginal'],
    });
    expect(result.stdout).toContain('Arch:          <none>\n');
    expect(result.stdout).toContain(
      [
        `Manifests:     linux/amd64  ${platformDigest('multi', 'linux/amd64')}`,
        `               linux/arm64  ${platformDigest('multi', 'linux/arm64')}`,
        `               linux/s390x  ${platformDigest('multi', 'linux/s390x')}`,
        '               (3 attestation manifests not listed: --show-attestations)',
      ].join('\n'),
    );
    expect(ws.state()!.streams.app!.tags.stable!.items[0]!.digest).toBe(layout.tags.multi!.digest);
  });

  it('keeps the tag’s mode when the flag is left out (oc would reset it to Legacy)', async () => {
    const ws = workspace(
      teamCatalog().replace('        preferPlatform: linux/arm64\n', '        importMode: PreserveOriginal\n'),
    );
    const result = await ws.run('import-image', 'app:stable', `--from=${host}/team/app:single`, '--confirm');
    expect(result.code).toBe(0);
    expect(ws.catalog()).toContain('        importMode: PreserveOriginal\n');
    expect(ws.state()!.streams.app!.tags.stable!.spec.importMode).toBe('PreserveOriginal');
    expect(result.stdout).toContain('  Import Mode:      PreserveOriginal\n');
  });

  it.each(['legacy', 'Bogus', ''])('refuses %j with oc’s message, writing nothing', async (mode) => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:stable', `--import-mode=${mode}`);
    expect(result.stderr).toBe('error: valid ImportMode values are Legacy or PreserveOriginal\n');
    expect(result.code).toBe(1);
    expect(ws.catalog()).toBe(before);
  });
});

describe('import-image --scheduled, --insecure and --reference-policy', () => {
  it('reads --scheduled alone as true, even before the argument, and --scheduled=false as false', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const on = await ws.run('import-image', '--scheduled', 'app:stable');
    expect(on.code).toBe(0);
    expect(changedLines(before, ws.catalog())).toEqual({ removed: [], added: ['        scheduled: true'] });
    expect(on.stdout).toContain(`stable\n  updates automatically from registry ${host}/team/app:multi\n`);
    const off = await ws.run('import-image', 'app:stable', '--scheduled=false');
    expect(off.code).toBe(0);
    expect(changedLines(before, ws.catalog())).toEqual({ removed: [], added: ['        scheduled: false'] });
  });

  it('writes insecure on the tag: a plain-HTTP registry fails without it and imports with it', async () => {
    const bare = teamCatalog().replace(/registries:\n.*\n.*\n/, '');
    const ws = workspace(bare);
    const failed = await ws.run('import-image', 'app:stable');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /error: app:stable: Import failed \(TLSError\): TLS connection to 127\.0\.0\.1:\d+ failed \(the server did not answer with TLS\); the registry seems to speak plain HTTP/,
    );
    const result = await ws.run('import-image', 'app:stable', '--insecure');
    expect(result.code).toBe(0);
    expect(changedLines(bare, ws.catalog())).toEqual({ removed: [], added: ['        insecure: true'] });
    expect(result.stdout).toContain('    will use insecure HTTPS or HTTP connections\n');
    expect(ws.state()!.streams.app!.tags.stable!.conditions).toEqual([]);
  });

  it('turns the tag’s insecure off with --insecure=false: it then needs TLS, which the plain-HTTP registry lacks', async () => {
    const bare = teamCatalog().replace(/registries:\n.*\n.*\n/, '');
    const ws = workspace(bare);
    expect((await ws.run('import-image', 'app:stable', '--insecure')).code).toBe(0);
    const result = await ws.run('import-image', 'app:stable', '--insecure=false');
    expect(changedLines(bare, ws.catalog())).toEqual({ removed: [], added: ['        insecure: false'] });
    expect(result.stdout).not.toContain('will use insecure HTTPS or HTTP connections');
    expect(result.stderr).toMatch(/Import failed \(TLSError\): .*the registry seems to speak plain HTTP/);
    expect(result.code).toBe(1);
    expect(ws.state()!.streams.app!.tags.stable!.conditions).toMatchObject([{ reason: 'TLSError' }]);
  });

  it('refuses --insecure for an image layout on disk, writing nothing', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run(
      'import-image',
      'demo:new',
      '--from=oci:../layout:single',
      '--insecure',
      '--confirm',
      '--allow-path',
      '..',
    );
    expect(result.stderr).toBe(
      'error: --insecure does not apply to oci:../layout:single: an image layout on disk has no TLS to skip\n',
    );
    expect(result.code).toBe(1);
    expect(ws.catalog()).toBe(before);
    expect(ws.state()).toBeUndefined();
  });

  it('removes an insecure key an image layout tag has with --insecure=false, and imports it', async () => {
    const stray = `${teamCatalog()}  demo:\n    tags:\n      new:\n        from: oci:../layout:single\n        insecure: true\n`;
    const ws = workspace(stray);
    const result = await ws.run('import-image', 'demo:new', '--insecure=false', '--allow-path', '..');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Wrote demo:new to imagestreams.yaml.');
    expect(changedLines(stray, ws.catalog())).toEqual({ removed: ['        insecure: true'], added: [] });
    expect(ws.state()!.streams.demo!.tags.new!.items[0]!.digest).toBe(layout.tags.single!.digest);
  });

  it('writes referencePolicy Local only where the catalog has a local section', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const refused = await ws.run('import-image', 'app:stable', '--reference-policy=local');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^imagestreams\.yaml:\d+:\d+: error: referencePolicy Local needs a "local" section .* \(after the edit; the catalog was not changed\)\n$/,
    );
    expect(ws.catalog()).toBe(before);
    const withLocal = workspace(teamCatalog().replace('streams:\n', 'local:\n  layout: mirror\nstreams:\n'));
    const result = await withLocal.run('import-image', 'app:stable', '--reference-policy=local');
    expect(result.code).toBe(0);
    expect(withLocal.catalog()).toContain(
      '# pinned on purpose\n        preferPlatform: linux/arm64\n        referencePolicy: Local\n',
    );
    expect(result.stdout).toContain('  Reference Policy: Local\n');
    expect(result.stdout).toContain(`\nSource Image:  ${host}/team/app@${platformDigest('multi', 'linux/arm64')}\n`);
  });

  it('refuses a reference policy other than source or local', async () => {
    const result = await workspace().run('import-image', 'app:stable', '--reference-policy=mirror');
    expect(result.stderr).toBe("error: reference policy must be set to 'source' or 'local'\n");
    expect(result.code).toBe(1);
  });
});

describe('import-image --dry-run', () => {
  it('shows the catalog edit as a diff and the image it would import, and writes nothing', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run(
      'import-image',
      'app:edge',
      `--from=${host}/team/app:multi`,
      '--import-mode=PreserveOriginal',
      '--dry-run',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [diff, shown] = result.stdout.split('\nimagestream/app imported (dry run)\n\n');
    expect(diff).toMatch(/^--- imagestreams\.yaml\n\+\+\+ imagestreams\.yaml\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    const edited = diff!.split('\n').filter((line) => /^[-+](?![-+]{2} )/.test(line));
    expect(edited).toEqual([
      '+      edge:',
      `+        from: ${host}/team/app:multi`,
      '+        importMode: PreserveOriginal',
    ]);
    expect(shown).toMatch(/^Name: +app\n/);
    expect(shown).toMatch(new RegExp(`\\nName: +${layout.tags.multi!.digest}\\n`));
    expect(ws.catalog()).toBe(before);
    expect(ws.state()).toBeUndefined();
  });

  it('shows the image it resolved with the metadata an import reads, marked as not imported', async () => {
    const ws = workspace();
    const dryRun = await ws.run('import-image', 'app:stable', '--dry-run');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain(
      `\n  * ${host}/team/app@${platformDigest('multi', 'linux/arm64')}\n      (dry run: not imported)\n`,
    );
    expect(dryRun.stdout).toContain('\nImported:      (dry run: not imported)\n');
    expect(dryRun.stdout).not.toMatch(/\(generation \d+\)|^ {6}\S.* ago$/m);
    expect(ws.state()).toBeUndefined();

    const imported = await ws.run('import-image', 'app:stable');
    expect(imported.code, imported.stderr).toBe(0);
    const metadata = (out: string) => out.split('\n').filter((l) => /^(Image Created|Image Size|Labels):/.test(l));
    expect(metadata(dryRun.stdout)).toEqual(metadata(imported.stdout));
    expect(metadata(dryRun.stdout)).toEqual([
      expect.stringMatching(/^Image Created: /),
      expect.stringMatching(/^Image Size: +\S+ in \d+ layers?$/),
      'Labels:        org.opencontainers.image.title=app',
    ]);
  });

  it('shows the current image as it is when the source still resolves to it', async () => {
    const ws = workspace();
    expect((await ws.run('import-image', 'app:stable')).code).toBe(0);
    const dryRun = await ws.run('import-image', 'app:stable', '--dry-run');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).not.toContain('dry run: not imported');
    expect(dryRun.stdout).toMatch(/\nImported: +(Less than a second|1 second|\d+ seconds) ago \(generation 1\)\n/);
  });
});

describe('import-image failures', () => {
  it.each([
    [
      'a missing tag',
      'team/app:nope',
      /127\.0\.0\.1:\d+\/team\/app:nope not found: repository 127\.0\.0\.1:\d+\/team\/app has no tag "nope"/,
    ],
    [
      'a missing repository',
      'team/absent:1',
      /127\.0\.0\.1:\d+\/team\/absent:1 not found: repository 127\.0\.0\.1:\d+\/team\/absent does not exist/,
    ],
  ])('of %s keep the catalog edit, record the condition and exit 1', async (_name, path, message) => {
    const ws = workspace();
    const result = await ws.run('import-image', 'app:broken', `--from=${host}/${path}`, '--confirm');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^imagestream\/app imported with errors\n/);
    expect(result.stdout).toMatch(
      new RegExp(
        `\\n  ! error: Import failed \\(NotFound\\): ${message.source}.*\\n {6}(Less than a second|1 second|\\d+ seconds) ago\\n`,
      ),
    );
    expect(result.stderr).toMatch(new RegExp(`error: app:broken: Import failed \\(NotFound\\): .*${message.source}`));
    expect(ws.catalog()).toContain(`      broken:\n        from: ${host}/${path}\n`);
    const tag = ws.state()!.streams.app!.tags.broken!;
    expect(tag.items).toEqual([]);
    expect(tag.conditions).toMatchObject([{ type: 'ImportSuccess', status: 'False', reason: 'NotFound' }]);
  });

  it('keeps the previous image of a tag whose new source fails', async () => {
    const ws = workspace();
    expect((await ws.run('import-image', 'app:stable')).code).toBe(0);
    const result = await ws.run('import-image', 'app:stable', `--from=${host}/team/app:gone`, '--confirm');
    expect(result.code).toBe(1);
    const tag = ws.state()!.streams.app!.tags.stable!;
    expect(tag.items.map((i) => i.digest)).toEqual([platformDigest('multi', 'linux/arm64')]);
    expect(tag.spec.from).toBe(`${host}/team/app:multi`);
    expect(result.stdout).toContain(`  * ${host}/team/app@${platformDigest('multi', 'linux/arm64')}\n`);
  });

  it('takes the state lock before writing the catalog', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const lock = await acquireLock(join(ws.dir, 'imagestreams.state.json'), { operation: 'apply' });
    try {
      const result = await ws.run('import-image', 'app:next', `--from=${host}/team/app:single`, '--confirm');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: cannot lock the state: /);
      expect(ws.catalog()).toBe(before);
    } finally {
      await lock.release();
    }
  });
});

describe('import-image against a registry that needs credentials', () => {
  const { registry: secure } = useRegistry({ mode: 'basic' });

  beforeAll(async () => {
    await pushLayout(layout.dir, 'single', secure, 'team/app:single');
  });

  /** A catalog that trusts the registry's CA, kept beside it (a catalog's paths stay inside its directory). */
  function secureWorkspace(): Workspace {
    const ws = workspace(
      `apiVersion: imagestreams/v1\nkind: Catalog\nregistries:\n  "${secure.host}":\n    ca: ca.pem\nstreams:\n  app:\n    tags:\n      latest:\n        from: ${secure.host}/team/app:single\n`,
    );
    copyFileSync(secure.ca!.caCertPath, join(ws.dir, 'ca.pem'));
    return ws;
  }

  it('says that no credentials were found for the host, and where it looked', async () => {
    const result = await secureWorkspace().run('import-image', 'app:latest');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error: app:latest: Import failed \(Unauthorized\): authentication required for 127\.0\.0\.1:\d+\/team\/app:single: no credentials found for 127\.0\.0\.1:\d+ \(looked in: /,
    );
  });

  it('says which file the refused credentials came from, never the secret', async () => {
    const ws = secureWorkspace();
    const password = 'not-the-password-7f3a';
    const auth = Buffer.from(`${secure.username}:${password}`).toString('base64');
    const authfile = join(ws.dir, 'auth.json');
    writeFileSync(authfile, JSON.stringify({ auths: { [secure.host]: { auth } } }));
    const result = await ws.run('import-image', 'app:latest', '--authfile', authfile);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Import failed \(Unauthorized\): authentication failed for .*: the credentials for 127\.0\.0\.1:\d+ from --authfile .*auth\.json \(key 127\.0\.0\.1:\d+\) were refused\n$/,
    );
    const everything = result.stdout + result.stderr + readFileSync(join(ws.dir, 'imagestreams.state.json'), 'utf8');
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(auth);
  });

  it('imports with the right credentials', async () => {
    const ws = secureWorkspace();
    const auth = Buffer.from(`${secure.username}:${secure.password}`).toString('base64');
    writeFileSync(join(ws.dir, 'auth.json'), JSON.stringify({ auths: { [secure.host]: { auth } } }));
    const result = await ws.run('import-image', 'app:latest', '--authfile', 'auth.json');
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(ws.state()!.streams.app!.tags.latest!.items[0]!.digest).toBe(layout.tags.single!.digest);
  });
});
