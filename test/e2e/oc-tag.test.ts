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

  it('changes the source of a tag in place, keeping its quotes and comment', async () => {
    const ws = workspace();
    await tag(
      ws,
      `Tag app:stable set to import ${host}/team/app:single periodically.\n`,
      `${host}/team/app:single`,
      'app:stable',
    );
    expect(ws.catalog()).toBe(teamCatalog().replace('team/app:multi"   # reviewed', 'team/app:single"   # reviewed'));
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

  it.each<[string, string, string, () => string]>([
    [
      '--scheduled',
      'app:latest',
      'Tag app:latest set to import SOURCE periodically.',
      () => afterLatest('        scheduled: true\n'),
    ],
    ['--insecure=false', 'app:latest', 'Tag app:latest set to SOURCE.', () => afterLatest('        insecure: false\n')],
    [
      '--import-mode=PreserveOriginal',
      'app:latest',
      'Tag app:latest set to SOURCE.',
      () => afterLatest('        importMode: PreserveOriginal\n'),
    ],
    [
      '--scheduled=false',
      'app:stable',
      'Tag app:stable set to SOURCE.',
      () => teamCatalog().replace('        scheduled: true\n', '        scheduled: false\n'),
    ],
    [
      '--import-mode=Legacy',
      'app:stable',
      'Tag app:stable set to import SOURCE periodically.',
      () => teamCatalog().replace('        importMode: PreserveOriginal\n', '        importMode: Legacy\n'),
    ],
  ])('%s on %s writes only that key, in place or after the last one', async (flag, dest, message, expected) => {
    const ws = workspace();
    const source = `${host}/team/app:${dest === 'app:latest' ? 'single' : 'multi'}`;
    await tag(ws, `${message.replace('SOURCE', source)}\n`, flag, source, dest);
    expect(ws.catalog()).toBe(expected());
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
  it('copies its source and spec into the new tag', async () => {
    const ws = workspace();
    await tag(
      ws,
      `Tag tools:prod set to import app:stable periodically (from ${host}/team/app:multi).\n`,
      'app:stable',
      'tools:prod',
    );
    expect(ws.catalog()).toContain(
      `      prod:\n        from: ${host}/team/app:multi\n        importMode: PreserveOriginal\n        scheduled: true\n        preferPlatform: linux/arm64\n`,
    );
  });

  it('lets flags override what is copied', async () => {
    const ws = workspace();
    await tag(
      ws,
      `Tag app:frozen set to app:stable (from ${host}/team/app:multi).\n`,
      '--scheduled=false',
      'app:stable',
      'app:frozen',
    );
    expect(ws.catalog()).toContain(
      `      frozen:\n        from: ${host}/team/app:multi\n        importMode: PreserveOriginal\n        preferPlatform: linux/arm64\n`,
    );
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
  it('sets up a tag of the same stream to track another', async () => {
    const ws = workspace();
    await tag(ws, 'Tag app:prod set up to track app:stable.\n', '--alias', 'app:stable', 'app:prod');
    expect(ws.catalog()).toContain(
      `      prod:\n        from: ${host}/team/app:multi\n        importMode: PreserveOriginal\n        scheduled: true\n        preferPlatform: linux/arm64\n`,
    );
  });

  it.each([
    [['--alias', 'app:stable', 'tools:prod'], 'error: cannot set alias across different Image Streams\n'],
    [
      ['--alias', '--scheduled', 'app:stable', 'app:prod'],
      'error: cannot set a container image tag as an alias and also set import flags\n',
    ],
    [
      ['--alias', 'quay.io/org/tool:1', 'app:prod'],
      'error: --alias needs a SOURCE that is a tag of the catalog (STREAM:TAG), not quay.io/org/tool:1\n',
    ],
    [['-d', '--alias', 'app:stable'], 'error: --alias and --delete may not be both specified\n'],
  ])('refuses %j as oc does', async (args, message) => {
    const ws = workspace();
    const result = await ws.run('tag', ...args);
    expect(result.stderr).toBe(message);
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

  it.each([
    [['-d', 'app:nope'], 'error: app:nope does not exist in imagestreams.yaml\n'],
    [['-d', '--scheduled', 'app:stable'], 'error: cannot set flags for importing images when deleting a tag\n'],
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
