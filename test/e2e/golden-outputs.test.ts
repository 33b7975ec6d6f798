import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, REPO_ROOT } from '../helpers/cli.js';
import { Workspace } from '../helpers/workspace.js';

/**
 * The CLI's outputs on the repository's example catalog, offline, byte for byte against files in __golden__ (with
 * times, relative ages and the workspace path normalised). UPDATE_GOLDEN=1 rewrites the files.
 */
const GOLDEN_DIR = join(REPO_ROOT, 'test', 'e2e', '__golden__');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const COMMANDS = [
  'inspect',
  'validate',
  'plan',
  'apply',
  'show',
  'force-unlock',
  'watch',
  'import-image',
  'tag',
  'describe',
  'history',
  'prune',
  'update',
];

const INVALID_CATALOG = `apiVersion: imagestreams/v1
kind: Catalog
streams:
  demo:
    tags:
      bad:
        from: oci:examples/images/demo:1.0
        importMode: Sometimes
      other:
        fromm: oci:examples/images/demo:1.0
`;

interface Case {
  name: string;
  args: string[];
  /** Lines whose order depends on concurrency are sorted. */
  sortStderr?: boolean;
}

const workspace = exampleWorkspace();
const invalid = new Workspace('imagestreams-golden-invalid-');
invalid.writeCatalog(INVALID_CATALOG);

describe('CLI outputs on the example catalog', () => {
  const cases: Case[] = [
    { name: 'help', args: ['--help'] },
    ...COMMANDS.map((command) => ({ name: `help-${command}`, args: [command, '--help'] })),
    { name: 'validate', args: ['validate'] },
    { name: 'plan-text', args: ['plan'] },
    { name: 'plan-json', args: ['plan', '--json'] },
    { name: 'plan-markdown', args: ['plan', '--format', 'markdown'] },
    { name: 'plan-detailed-exitcode', args: ['plan', '--detailed-exitcode', '--target', 'demo'] },
    { name: 'apply-auto-approve', args: ['apply', '--auto-approve'], sortStderr: true },
    { name: 'plan-after-apply', args: ['plan'] },
    { name: 'show', args: ['show'] },
    { name: 'show-tag', args: ['show', 'demo:latest'] },
    { name: 'show-json', args: ['show', '--json'] },
    { name: 'show-unknown', args: ['show', 'nothing:here'] },
    { name: 'describe', args: ['describe', 'demo'] },
    { name: 'describe-tag', args: ['describe', 'demo:latest', '--show-attestations'] },
    { name: 'describe-json', args: ['describe', 'tools:stable', '--json'] },
    { name: 'describe-unknown', args: ['describe', 'nothing'] },
    { name: 'history', args: ['history', 'demo:latest'] },
    { name: 'history-json', args: ['history', 'tools:stable', '--json'] },
    { name: 'history-stream-only', args: ['history', 'demo'] },
    { name: 'inspect', args: ['inspect', 'oci:examples/images/demo:1.1'] },
    { name: 'inspect-json', args: ['inspect', 'oci:examples/images/tools:stable', '--json'] },
    { name: 'tag-set', args: ['tag', 'oci:examples/images/demo:single', 'demo:copy', 'demo:second'] },
    { name: 'tag-copy', args: ['tag', 'demo:latest', 'demo:mirror'] },
    { name: 'tag-copy-scheduled', args: ['tag', 'demo:latest', 'demo:x', '--scheduled'] },
    { name: 'tag-alias', args: ['tag', '--alias', 'demo:1.0', 'demo:one'] },
    { name: 'tag-delete', args: ['tag', '-d', 'demo:one', 'demo:second'] },
    { name: 'tag-bad-mode', args: ['tag', 'oci:examples/images/demo:1.0', 'demo:x', '--import-mode', 'Never'] },
    { name: 'import-image-existing', args: ['import-image', 'demo:copy'] },
    {
      name: 'import-image-dry-run',
      args: ['import-image', 'extra', '--from', 'oci:examples/images/demo:1.0', '--dry-run'],
    },
    { name: 'import-image-unconfirmed', args: ['import-image', 'extra', '--from', 'oci:examples/images/demo:1.0'] },
    {
      name: 'import-image-confirm',
      args: ['import-image', 'extra', '--from', 'oci:examples/images/demo:1.0', '--confirm'],
    },
    {
      name: 'import-image-missing-tag',
      args: ['import-image', 'extra:nope', '--from', 'oci:examples/images/nothing:1', '--confirm'],
    },
    { name: 'plan-save', args: ['plan', '--out', 'saved.plan'] },
    { name: 'apply-saved', args: ['apply', 'saved.plan'], sortStderr: true },
    { name: 'apply-saved-again', args: ['apply', 'saved.plan'] },
    { name: 'apply-nothing-json', args: ['apply', '--auto-approve', '--json'] },
    { name: 'apply-needs-approval', args: ['apply', '--target', 'demo:mirror', '--reimport', 'demo:mirror'] },
    { name: 'prune-dry-run', args: ['prune', '--keep-tag-revisions', '0', '--keep-younger-than', '0'] },
    { name: 'prune-json', args: ['prune', '--json'] },
    { name: 'force-unlock-no-lock', args: ['force-unlock', 'abc'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const result = await workspace.run(c.args);
      expectGolden(c, result, workspace.dir);
    });
  }

  it('invalid-validate', async () => {
    expectGolden({ name: 'invalid-validate', args: ['validate'] }, await invalid.run(['validate']), invalid.dir);
  });
  it('invalid-plan', async () => {
    expectGolden({ name: 'invalid-plan', args: ['plan'] }, await invalid.run(['plan']), invalid.dir);
  });
});

/** A workspace holding the repository's catalog and the image layouts it imports from. */
function exampleWorkspace(): Workspace {
  const ws = new Workspace('imagestreams-golden-');
  mkdirSync(join(ws.dir, 'examples'));
  cpSync(join(REPO_ROOT, 'examples', 'images'), join(ws.dir, 'examples', 'images'), { recursive: true });
  cpSync(join(REPO_ROOT, 'imagestreams.yaml'), ws.catalogPath);
  return ws;
}

function expectGolden(c: Case, result: CliResult, dir: string): void {
  const actual = transcript(c, result, dir);
  const file = join(GOLDEN_DIR, `${c.name}.txt`);
  if (UPDATE || !existsSync(file)) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    if (!UPDATE) throw new Error(`${file} did not exist: written, check it in`);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

function transcript(c: Case, result: CliResult, dir: string): string {
  const stderr = c.sortStderr ? sortLines(result.stderr) : result.stderr;
  return [
    `$ imagestreams ${c.args.join(' ')}`,
    `exit: ${result.code}`,
    '--- stdout',
    normalise(result.stdout, dir),
    '--- stderr',
    normalise(stderr, dir),
  ].join('\n');
}

function sortLines(text: string): string {
  const lines = text.split('\n');
  const last = lines.pop();
  return [...lines.sort(), last].join('\n');
}

/** Times of this run, the ages derived from them, and the workspace's path. */
function normalise(text: string, dir: string): string {
  return text
    .replaceAll(realpathSync(dir), '<WORKSPACE>')
    .replaceAll(dir, '<WORKSPACE>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<TIME>')
    .replace(/(Less than a second|About an? \w+|\d+ \w+) ago/g, '<AGO>')
    .replace(/<AGO>\) +/g, '<AGO>)  ')
    .replace(/IMPORTED +DIGEST/g, 'IMPORTED  DIGEST')
    .replace(/"lineage": "[0-9a-f-]{36}"/g, '"lineage": "<LINEAGE>"')
    .replace(/lock [0-9a-f-]{36}/gi, 'lock <LOCK>');
}
