import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { parsePlanJson } from '../helpers/plan-text.js';
import { Workspace } from '../helpers/workspace.js';

const CATALOG = {
  streams: {
    demo: {
      '1.0': { from: 'oci:images/demo:1.0' },
      single: { from: 'oci:images/demo:single' },
    },
    tools: { stable: { from: 'oci:images/tools:stable', importMode: 'PreserveOriginal' } },
  },
};

/** A workspace whose catalog imports from image layouts beside it: offline. */
function workspace(): Workspace {
  const work = new Workspace('imagestreams-targeting-');
  cpSync(join(REPO_ROOT, 'examples', 'images'), work.file('images'), { recursive: true });
  work.writeCatalog(CATALOG);
  return work;
}

const addresses = (stdout: string) => parsePlanJson(stdout).changes.map((c) => c.address);
const stateTags = (work: Workspace) =>
  Object.entries(work.state().streams).flatMap(([s, stream]) => Object.keys(stream.tags).map((t) => `${s}:${t}`));

describe('--target STREAM[:TAG]', () => {
  let work: Workspace;
  beforeEach(() => {
    work = workspace();
  });

  it('limits the plan to the targets (a stream is all its tags) and warns that the rest is left out', async () => {
    const result = await work.expectRun(['plan', '--json', '--target', 'demo:1.0', '--target', 'tools'], 0);
    expect(addresses(result.stdout)).toEqual(['demo:1.0', 'tools:stable']);
    expect(parsePlanJson(result.stdout).targets).toEqual(['demo:1.0', 'tools']);
    expect(result.stderr).toContain('Warning: --target is in effect: this plan covers only demo:1.0, tools\n');
    expect(result.stderr).toContain('the state may not\nmatch the catalog');
  });

  it('without --target, the plan has every tag and no warning', async () => {
    const result = await work.expectRun(['plan', '--json'], 0);
    expect(addresses(result.stdout)).toEqual(['demo:1.0', 'demo:single', 'tools:stable']);
    expect(result.stderr).toBe('');
  });

  it('an unknown target is an error that lists the close matches, and nothing is written', async () => {
    const tag = await work.expectRun(['plan', '--target', 'demo:sngle'], 1);
    expect(tag.stderr).toBe(
      'error: --target "demo:sngle" matches no stream or tag of the catalog or the state (use STREAM or STREAM:TAG); did you mean demo:single?\n',
    );
    const stream = await work.expectRun(['apply', '--auto-approve', '--target', 'tool'], 1);
    expect(stream.stderr).toContain('--target "tool" matches no stream or tag');
    expect(stream.stderr).toContain('did you mean tools?');
    const far = await work.expectRun(['plan', '--reimport', 'nothing:like:it'], 1);
    expect(far.stderr).toBe(
      'error: --reimport "nothing:like:it" matches no stream or tag of the catalog or the state (use STREAM or STREAM:TAG)\n',
    );
    const long = await work.expectRun(['plan', '--target', `app:${'x'.repeat(5000)}`], 1);
    expect(long.stderr.length).toBeLessThan(400);
    expect(work.stateBytes()).toBeUndefined();
  });

  it('apply --target imports only the targets and says the rest was not done', async () => {
    const result = await work.expectRun(['apply', '--auto-approve', '-target=demo:single'], 0);
    expect(stateTags(work)).toEqual(['demo:single']);
    expect(result.stderr).toContain('Warning: this apply was limited by --target to demo:single\n');
  });

  it('a saved plan made with --target records it, and apply PLANFILE applies only that', async () => {
    await work.expectRun(['plan', '-target=tools', '-out=tools.plan'], 0);
    const file = JSON.parse(readFileSync(work.file('tools.plan'), 'utf8')) as { plan: { targets: string[] } };
    expect(file.plan.targets).toEqual(['tools']);
    const result = await work.expectRun(['apply', 'tools.plan'], 0);
    expect(stateTags(work)).toEqual(['tools:stable']);
    expect(result.stderr).toContain('Warning: this apply was limited by --target to tools\n');
  });

  it('a saved plan whose targets were widened is refused: the targets are part of what is proven', async () => {
    await work.expectRun(['plan', '--target', 'tools', '--out', 'tools.plan'], 0);
    const file = JSON.parse(readFileSync(work.file('tools.plan'), 'utf8')) as { plan: { targets: string[] } };
    file.plan.targets = [];
    writeFileSync(work.file('tools.plan'), JSON.stringify(file));
    const result = await work.expectRun(['apply', 'tools.plan'], 1);
    expect(result.stderr).toContain('it lists nothing for demo:1.0');
    expect(work.stateBytes()).toBeUndefined();
  });

  it.each([
    ['--target', 'tools'],
    ['--reimport', 'tools'],
  ])('apply PLANFILE %s is refused: a saved plan is applied as it was made', async (flag, address) => {
    await work.expectRun(['plan', '--out', 'all.plan'], 0);
    const result = await work.expectRun(['apply', 'all.plan', flag, address], 1);
    expect(result.stderr).toBe(
      `error: ${flag} cannot be used with a saved plan: all.plan applies what it was planned with; pass ${flag} to plan --out instead\n`,
    );
    expect(work.stateBytes()).toBeUndefined();
  });
});

describe('plan --out FILE', () => {
  it('ends with where the plan is and the command that applies it, shell-quoted', async () => {
    const work = workspace();
    const result = await work.expectRun(['plan', '--out', "it's a plan.json"], 0);
    expect(result.stdout).toMatch(
      /\n\nSaved the plan to: it's a plan\.json\n\nTo apply exactly this plan, run:\n {4}imagestreams apply 'it'\\''s a plan\.json'\n$/,
    );
    expect(existsSync(work.file("it's a plan.json"))).toBe(true);
  });

  it.each([['--json'], ['--format=markdown']])(
    'with %s the note goes to stderr, and stdout is only the plan',
    async (format) => {
      const work = workspace();
      const result = await work.expectRun(['plan', format, '--out', 'p.json'], 0);
      expect(result.stdout).not.toContain('Saved the plan');
      expect(result.stderr).toBe(
        '\nSaved the plan to: p.json\n\nTo apply exactly this plan, run:\n    imagestreams apply p.json\n',
      );
    },
  );

  it('the command names the catalog, state and allowed paths the plan was made with', async () => {
    const work = workspace();
    cpSync(work.catalogPath, work.file('other catalog.yaml'));
    const args = ['--allow-path', '/srv', 'plan', '-f', 'other catalog.yaml', '--state', 's.json', '-out', 'p'];
    const result = await work.expectRun(args, 0);
    expect(result.stdout).toContain(
      "\n    imagestreams apply --allow-path /srv -f 'other catalog.yaml' --state s.json p\n",
    );
    await work.expectRun(['--allow-path', '/srv', 'apply', '-f', 'other catalog.yaml', '--state', 's.json', 'p'], 0);
  });
});

describe('Terraform spellings on the built command line', () => {
  it('plan -out=FILE -detailed-exitcode -refresh=false -no-color exits 2 and saves the plan', async () => {
    const work = workspace();
    await work.expectRun(['plan', '-out=p.json', '-detailed-exitcode', '-refresh=false', '-no-color'], 2);
    await work.expectRun(['apply', '-auto-approve', '-lock-timeout=1s', 'p.json'], 0);
    await work.expectRun(['plan', '-detailed-exitcode'], 0);
  });

  it('plan --json --format markdown is refused instead of printing JSON', async () => {
    const result = await workspace().expectRun(['plan', '--json', '--format', 'markdown'], 1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "error: option '--json' cannot be used with option '--format <format>'\n(run with --help for usage)\n",
    );
  });
});
