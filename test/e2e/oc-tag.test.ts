import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli, tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type GeneratedLayout, writeImageLayout } from '../helpers/images.js';
import { pushLayout } from '../helpers/skopeo.js';

const work = tempDir('imagestreams-oc-tag-');
const { registry } = useRegistry();
let layout: GeneratedLayout;
let host: string;

beforeAll(async () => {
  layout = writeImageLayout(join(work.path, 'layout'), {
    tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'] }, single: { platforms: ['linux/arm64'] } },
  });
  host = registry.host;
  for (const tag of ['multi', 'single']) await pushLayout(layout.dir, tag, registry, `team/app:${tag}`);
});

afterAll(async () => {
  work.remove();
});

function teamCatalog(): string {
  return `apiVersion: imagestreams/v1
kind: Catalog
registries:
  "${host}":
    insecure: true                   # plain-HTTP test registry
streams:
  app:
    tags:
      # what production runs
      stable:
        from: "${host}/team/app:multi"   # reviewed 2024-05
        importMode: PreserveOriginal
        scheduled: true
        preferPlatform: linux/arm64

      latest:
        from: ${host}/team/app:single
  tools:
    tags:
      debug: { from: ${host}/team/app:single }
`;
}

interface Workspace {
  dir: string;
  catalog(): string;
  run(...args: string[]): Promise<CliResult>;
}

let count = 0;
function workspace(catalog = teamCatalog()): Workspace {
  const dir = join(work.path, `ws-${++count}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'imagestreams.yaml'), catalog);
  return {
    dir,
    catalog: () => readFileSync(join(dir, 'imagestreams.yaml'), 'utf8'),
    run: (...args) => runCli(args, { cwd: dir }),
  };
}

/** Runs `tag` and expects it to succeed with `message` on stdout and nothing on stderr. */
async function tag(ws: Workspace, message: string, ...args: string[]): Promise<void> {
  const result = await ws.run('tag', ...args);
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe(message);
  expect(result.code).toBe(0);
}

describe('tag SOURCE STREAM:TAG', () => {
  it('creates a tag from an image reference with oc’s message, adding only its lines', async () => {
    const ws = workspace();
    await tag(ws, `Tag app:next set to ${host}/team/app:single.\n`, `${host}/team/app:single`, 'app:next');
    expect(ws.catalog()).toBe(
      teamCatalog().replace('  tools:\n', `\n      next:\n        from: ${host}/team/app:single\n  tools:\n`),
    );
  });

  it('replaces the spec of a tag, changing its source in place and keeping its quotes and comment', async () => {
    const ws = workspace();
    await tag(
      ws,
      `Tag app:stable set to ${host}/team/app:single.\n` +
        "Tag app:stable had importMode PreserveOriginal; it is now Legacy, oc's default (pass --import-mode=PreserveOriginal to keep it).\n",
      `${host}/team/app:single`,
      'app:stable',
    );
    expect(ws.catalog()).toBe(
      teamCatalog().replace(
        'team/app:multi"   # reviewed 2024-05\n        importMode: PreserveOriginal\n        scheduled: true\n        preferPlatform: linux/arm64\n',
        'team/app:single"   # reviewed 2024-05\n',
      ),
    );
  });

  it('sets several tags at once', async () => {
    const ws = workspace();
    await tag(
      ws,
      `Tag app:a set to ${host}/team/app:multi.\nTag tools:b set to ${host}/team/app:multi.\n`,
      `${host}/team/app:multi`,
      'app:a',
      'tools:b',
    );
    expect(ws.catalog()).toContain(`      b:\n        from: ${host}/team/app:multi\n`);
  });

  /** The catalog with `app:latest`'s lines followed by `added`. */
  const afterLatest = (added: string) =>
    teamCatalog().replace(`from: ${host}/team/app:single\n  tools`, `from: ${host}/team/app:single\n${added}  tools`);

  it.each<[string, string, () => string]>([
    [
      '--scheduled',
      'Tag app:latest set to import SOURCE periodically.',
      () => afterLatest('        scheduled: true\n'),
    ],
    ['--insecure=false', 'Tag app:latest set to SOURCE.', () => teamCatalog()],
    [
      '--import-mode=PreserveOriginal',
      'Tag app:latest set to SOURCE.',
      () => afterLatest('        importMode: PreserveOriginal\n'),
    ],
  ])('%s writes only what differs from the defaults', async (flag, message, expected) => {
    const ws = workspace();
    const source = `${host}/team/app:single`;
    await tag(ws, `${message.replace('SOURCE', source)}\n`, flag, source, 'app:latest');
    expect(ws.catalog()).toBe(expected());
  });

  it('keeps nothing of the old spec that the flags do not give, with no note when --import-mode is given', async () => {
    const ws = workspace();
    const source = `${host}/team/app:multi`;
    await tag(ws, `Tag app:stable set to ${source}.\n`, '--import-mode=Legacy', source, 'app:stable');
    expect(ws.catalog()).toBe(
      teamCatalog().replace(
        '        importMode: PreserveOriginal\n        scheduled: true\n        preferPlatform: linux/arm64\n',
        '',
      ),
    );
  });

  it('reads an empty --import-mode as Legacy, as oc, with the note that the mode changed', async () => {
    const ws = workspace();
    const source = `${host}/team/app:multi`;
    await tag(
      ws,
      `Tag app:stable set to ${source}.\n` +
        "Tag app:stable had importMode PreserveOriginal; it is now Legacy, oc's default (pass --import-mode=PreserveOriginal to keep it).\n",
      '--import-mode=',
      source,
      'app:stable',
    );
    expect(ws.catalog()).not.toContain('importMode');
  });

  it('writes insecure on a tag whose registry is not insecure', async () => {
    const ws = workspace();
    await tag(ws, 'Tag tools:quay set to quay.io/org/tool:1.\n', '--insecure', 'quay.io/org/tool:1', 'tools:quay');
    expect(ws.catalog()).toContain('      quay:\n        from: quay.io/org/tool:1\n        insecure: true\n');
  });

  it('refuses --insecure for an image layout on disk, writing nothing', async () => {
    const ws = workspace();
    const result = await ws.run('tag', '--insecure', 'oci:../layout:single', 'tools:disk', '--allow-path', '..');
    expect(result.stderr).toBe(
      'error: --insecure does not apply to oci:../layout:single: an image layout on disk has no TLS to skip\n',
    );
    expect(result.code).toBe(1);
    expect(ws.catalog()).toBe(teamCatalog());
  });

  it('refuses a catalog whose image layout tag has insecure: true, naming where', async () => {
    const stray = `${teamCatalog()}      disk:\n        from: oci:../layout:single\n        insecure: true\n`;
    const ws = workspace(stray);
    const result = await ws.run('tag', '--insecure=false', 'oci:../layout:single', 'tools:disk', '--allow-path', '..');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^imagestreams\.yaml:\d+:19: error: "insecure" in streams\.tools\.tags\.disk: insecure: true does not apply to an oci: source/,
    );
    expect(ws.catalog()).toBe(stray);
  });

  it('writes referencePolicy Local, with a local section or without one (the default store)', async () => {
    const ws = workspace();
    await tag(
      ws,
      'Tag tools:quay set to quay.io/org/tool:1.\n',
      '--reference-policy=local',
      'quay.io/org/tool:1',
      'tools:quay',
    );
    expect(ws.catalog()).toContain('      quay:\n        from: quay.io/org/tool:1\n        referencePolicy: Local\n');
    const local = workspace(
      teamCatalog().replace('streams:\n', 'local:\n  registry: mirror.local:5000/team\nstreams:\n'),
    );
    await tag(
      local,
      'Tag tools:quay set to quay.io/org/tool:1.\n',
      '--reference-policy=local',
      'quay.io/org/tool:1',
      'tools:quay',
    );
    expect(local.catalog()).toContain(
      '      quay:\n        from: quay.io/org/tool:1\n        referencePolicy: Local\n',
    );
  });

  it.each([
    ['--import-mode=preserve', 'error: valid ImportMode values are Legacy or PreserveOriginal\n'],
    ['--reference-policy=cache', "error: reference policy must be set to 'source' or 'local'\n"],
  ])('refuses %s with oc’s message', async (flag, message) => {
    const ws = workspace();
    const result = await ws.run('tag', flag, 'quay.io/org/tool:1', 'tools:quay');
    expect(result.stderr).toBe(message);
    expect(result.code).toBe(1);
    expect(ws.catalog()).toBe(teamCatalog());
  });

  it('refuses a destination that is not STREAM:TAG', async () => {
    const result = await workspace().run('tag', 'quay.io/org/tool:1', 'tools');
    expect(result.stderr).toBe('error: "tools" must be of the form <stream_name>:<tag>\n');
    expect(result.code).toBe(1);
  });
});

describe('tag with a SOURCE that is a tag of the catalog', () => {
  it('refuses a tag that has no image yet, as oc does', async () => {
    const ws = workspace();
    const result = await ws.run('tag', 'app:stable', 'tools:prod');
    expect(result.stderr).toBe(
      'error: "app:stable" is not currently pointing to an image, cannot use it as the source of a tag\n',
    );
    expect(result.code).toBe(1);
    expect(ws.catalog()).toBe(teamCatalog());
  });

  it('snapshots its current image by digest: stream@digest, in OpenShift form within the same stream', async () => {
    const ws = workspace();
    expect((await ws.run('apply', '--auto-approve', '--target', 'app:stable')).code).toBe(0);
    const state = JSON.parse(readFileSync(join(ws.dir, 'imagestreams.state.json'), 'utf8'));
    const digest: string = state.streams.app.tags.stable.items[0].digest;
    await tag(
      ws,
      `Tag tools:prod set to app@${digest}.\nTag app:frozen set to app@${digest}.\n`,
      'app:stable',
      'tools:prod',
      'app:frozen',
    );
    expect(ws.catalog()).toContain(`      prod:\n        from: app@${digest}\n`);
    expect(ws.catalog()).toContain(
      `      frozen:\n        from:\n          kind: ImageStreamImage\n          name: app@${digest}\n`,
    );
    const plan = await ws.run('plan', '--target', 'tools:prod', '--target', 'app:frozen');
    expect(plan.stdout).toContain(`  + tools:prod  ${digest.slice(0, 19)}  (from app@${digest.slice(0, 19)})`);
  });

  it('refuses import flags for an image-stream source with oc’s message', async () => {
    const ws = workspace();
    for (const flag of ['--scheduled', '--insecure']) {
      const result = await ws.run('tag', flag, `app@sha256:${'a'.repeat(64)}`, 'tools:prod');
      expect(result.stderr).toBe('error: only container images can have importing flags set\n');
      expect(result.code).toBe(1);
    }
    expect(ws.catalog()).toBe(teamCatalog());
  });

  it('says so when the stream has no such tag', async () => {
    const result = await workspace().run('tag', 'app:nope', 'app:x');
    expect(result.stderr).toBe(
      'error: SOURCE app:nope: the image stream "app" has no tag "nope" (for an image of Docker Hub, write docker.io/library/app:nope)\n',
    );
    expect(result.code).toBe(1);
  });
});

describe('tag --alias', () => {
  it('makes the destination follow SOURCE, replacing its spec', async () => {
    const ws = workspace();
    await tag(ws, 'Tag app:latest set up to track app:stable.\n', '--alias', 'app:stable', 'app:latest');
    expect(ws.catalog()).toBe(
      teamCatalog().replace(`        from: ${host}/team/app:single\n`, '        from: app:stable\n'),
    );
  });

  it('writes referencePolicy Local on a tag that follows another, as oc does', async () => {
    const ws = workspace();
    const args = ['--alias', '--reference-policy=local', 'app:stable', 'app:latest'];
    await tag(ws, 'Tag app:latest set up to track app:stable.\n', ...args);
    expect(ws.catalog()).toBe(
      teamCatalog().replace(
        `        from: ${host}/team/app:single\n`,
        '        from: app:stable\n        referencePolicy: Local\n',
      ),
    );
  });

  it.each([
    [['--alias', 'app:stable', 'tools:prod'], 'error: cannot set alias across different Image Streams\n'],
    [
      ['--alias', '--scheduled', 'app:stable', 'app:prod'],
      'error: only container images can have importing flags set\n',
    ],
    [
      ['--alias', '--scheduled', 'quay.io/org/app:1', 'app:prod'],
      'error: cannot set a container image tag as an alias and also set import flags\n',
    ],
    [['--alias', 'quay.io/org/tool:1', 'app:prod'], 'error: cannot set alias across different Image Streams\n'],
    [['-d', '--alias', 'app:stable'], 'error: --alias and --delete may not be both specified\n'],
    [
      ['--alias', 'app:stable', 'app:stable'],
      /cycle: app:stable → app:stable \(after the edit; the catalog was not changed\)/,
    ],
  ])('refuses %j as oc does', async (args, message) => {
    const ws = workspace();
    const result = await ws.run('tag', ...args);
    if (typeof message === 'string') expect(result.stderr).toBe(message);
    else expect(result.stderr).toMatch(message);
    expect(result.code).toBe(1);
    expect(ws.catalog()).toBe(teamCatalog());
  });
});

describe('tag -d', () => {
  it('deletes a tag with the comment above it, with oc’s message', async () => {
    const ws = workspace();
    await tag(ws, 'Deleted tag app:stable.\n', '-d', 'app:stable');
    expect(ws.catalog()).toBe(
      teamCatalog().replace(
        `      # what production runs\n      stable:\n        from: "${host}/team/app:multi"   # reviewed 2024-05\n        importMode: PreserveOriginal\n        scheduled: true\n        preferPlatform: linux/arm64\n\n`,
        '',
      ),
    );
  });

  it('leaves an empty stream when its last tag goes', async () => {
    const ws = workspace();
    await tag(ws, 'Deleted tag tools:debug.\n', '--delete', 'tools:debug');
    expect(ws.catalog()).toBe(
      teamCatalog().replace(`    tags:\n      debug: { from: ${host}/team/app:single }\n`, '    tags: {}\n'),
    );
  });

  it('takes an empty --import-mode, as oc does', async () => {
    const ws = workspace();
    await tag(ws, 'Deleted tag tools:debug.\n', '-d', '--import-mode', '', 'tools:debug');
  });

  it.each([
    [['-d', 'app:nope'], 'error: app:nope does not exist in imagestreams.yaml\n'],
    [['-d', '--scheduled', 'app:stable'], 'error: cannot set flags for importing images when deleting a tag\n'],
    [['-d', '--import-mode=Legacy', 'app:stable'], 'error: cannot specify an import mode when deleting\n'],
  ])('refuses %j', async (args, message) => {
    const ws = workspace();
    const result = await ws.run('tag', ...args);
    expect(result.stderr).toBe(message);
    expect(result.code).toBe(1);
    expect(ws.catalog()).toBe(teamCatalog());
  });
});

describe('tag, then apply', () => {
  it('imports what tag wrote: tag only edits the catalog', async () => {
    const ws = workspace();
    await tag(ws, `Tag app:next set to ${host}/team/app:multi.\n`, `${host}/team/app:multi`, 'app:next');
    const plan = await ws.run('plan', '--target', 'app:next');
    expect(plan.stdout).toContain(`  + app:next  ${host}/team/app:multi`);
    const apply = await ws.run('apply', '--auto-approve', '--target', 'app:next');
    expect(apply.code).toBe(0);
    const described = await ws.run('describe', 'app');
    expect(described.stdout).toContain(`  * ${host}/team/app@${layout.tags.multi!.platforms['linux/amd64']!.digest}\n`);
  });
});
