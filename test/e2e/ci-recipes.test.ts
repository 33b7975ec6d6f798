import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CI_SCRIPT, CiSandbox, type Clone } from '../helpers/ci-sandbox.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { GeneratedImage, ImageSpec } from '../helpers/images.js';
import { catalogText, insecure, type TagYaml } from '../helpers/workspace.js';

// The steps of examples/ci/github/imagestreams.yml and examples/ci/gitlab/.gitlab-ci.yml are calls of
// examples/ci/imagestreams-ci.sh: these tests run that script, as the jobs do, against a local bare git remote, a
// real registry and the built CLI.

const { registry, upstream } = useRegistry();

const IMAGE: ImageSpec = { platforms: ['linux/amd64', 'linux/arm64'] };

/** A tag following `repository:latest` of the test registry, whole index kept: its state digest is the index's. */
const follows = (repository: string): TagYaml => ({
  from: `${registry.host}/${repository}:latest`,
  importMode: 'PreserveOriginal',
  scheduled: true,
});

const catalog = (streams: Record<string, TagYaml>) =>
  catalogText({
    registries: insecure(registry.host),
    streams: Object.fromEntries(Object.entries(streams).map(([name, tag]) => [name, { latest: tag }])),
  });

const digestOf = (state: { streams: Record<string, { tags: Record<string, { items: { digest: string }[] }> }> }) =>
  Object.fromEntries(
    Object.entries(state.streams).map(([name, stream]) => [name, stream.tags.latest?.items[0]?.digest]),
  );

/** A sandbox whose main branch holds `streams` (not yet applied). */
async function sandboxWith(streams: Record<string, TagYaml>): Promise<CiSandbox> {
  const sandbox = new CiSandbox();
  await sandbox.init();
  const seed = await sandbox.clone('seed');
  seed.write('imagestreams.yaml', catalog(streams));
  await seed.commit('catalog');
  await seed.git('push', '--quiet', 'origin', 'HEAD:main');
  return sandbox;
}

/** A pull request: a branch of main whose catalog holds `streams`, and its plan job run (saved plan in `dir`). */
async function pullRequest(
  sandbox: CiSandbox,
  name: string,
  streams: Record<string, TagYaml>,
  env: NodeJS.ProcessEnv = {},
) {
  const clone = await sandbox.clone(name);
  await clone.git('checkout', '--quiet', '-b', name);
  clone.write('imagestreams.yaml', catalog(streams));
  await clone.commit(name);
  const dir = join(sandbox.dir, `${name}-plan`);
  const summary = join(sandbox.dir, `${name}-plan-summary.md`);
  const plan = await clone.script(['plan', dir], { GITHUB_STEP_SUMMARY: summary, ...env });
  return { clone, plan, planFile: join(dir, 'plan.bin'), markdown: join(dir, 'plan.md'), summary };
}

/** The job after merge: a checkout of main as it is now, running `apply PLANFILE`, with its own summary file. */
async function applyJob(sandbox: CiSandbox, name: string, planFile: string, env: NodeJS.ProcessEnv = {}) {
  const clone = await sandbox.clone(name);
  return startApplyJob(clone, planFile, env);
}

async function startApplyJob(clone: Clone, planFile: string, env: NodeJS.ProcessEnv = {}) {
  const summary = `${clone.path}-summary.md`;
  const result = await clone.script(['apply', planFile], { GITHUB_STEP_SUMMARY: summary, ...env });
  return { ...result, summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '' };
}

describe('the pull request job', () => {
  it('saves the plan, writes it as markdown with the comment marker, and puts it in the job summary', async () => {
    await upstream.push('ci/pr', 'latest', { ...IMAGE, seed: 'pr' });
    const sandbox = await sandboxWith({});
    const pr = await pullRequest(sandbox, 'pr', { app: follows('ci/pr') });
    expect(pr.plan.code, pr.plan.output).toBe(0);
    const markdown = readFileSync(pr.markdown, 'utf8');
    expect(markdown).toMatch(/^<!-- imagestreams-plan -->\n\*\*imagestreams plan:\*\* 1 to import/);
    expect(pr.plan.output).toContain(markdown);
    expect(readFileSync(pr.summary, 'utf8')).toContain(markdown);
    expect(JSON.parse(readFileSync(pr.planFile, 'utf8'))).toMatchObject({ kind: 'imagestreams-plan' });
  });

  it('signs the saved plan with IMAGESTREAMS_PLAN_KEY, and ignores the variable when it is empty (a fork)', async () => {
    await upstream.push('ci/signed', 'latest', { ...IMAGE, seed: 'signed' });
    const sandbox = await sandboxWith({});
    const streams = { app: follows('ci/signed') };
    const signed = await pullRequest(sandbox, 'signed', streams, { IMAGESTREAMS_PLAN_KEY: 'k'.repeat(64) });
    const fork = await pullRequest(sandbox, 'fork', streams, { IMAGESTREAMS_PLAN_KEY: '' });
    expect([signed.plan.code, fork.plan.code], fork.plan.output).toEqual([0, 0]);
    expect(JSON.parse(readFileSync(signed.planFile, 'utf8')).signature).toMatch(/^hmac-sha256:/);
    expect(JSON.parse(readFileSync(fork.planFile, 'utf8')).signature).toBeUndefined();
    expect(readFileSync(fork.summary, 'utf8')).toContain(
      '_The saved plan is not signed: IMAGESTREAMS_PLAN_KEY is not available to this job._',
    );
  });

  it('exits 1 when a tag cannot be resolved, the plan (with the error) still saved and written', async () => {
    const sandbox = await sandboxWith({});
    const pr = await pullRequest(sandbox, 'broken', { app: follows('ci/never-pushed') });
    expect(pr.plan.code).toBe(1);
    expect(readFileSync(pr.markdown, 'utf8')).toContain('`app:latest` (NotFound)');
    expect(existsSync(pr.planFile)).toBe(true);
  });
});

describe('the job after merge', () => {
  it('applies the plan reviewed in the pull request, exactly: not what the upstream moved to since', async () => {
    const reviewed = await upstream.push('ci/reviewed', 'latest', { ...IMAGE, seed: 'reviewed' });
    const sandbox = await sandboxWith({});
    const pr = await pullRequest(sandbox, 'pr', { app: follows('ci/reviewed') });
    await upstream.push('ci/reviewed', 'latest', { ...IMAGE, seed: 'moved after review' });
    await pr.clone.git('push', '--quiet', 'origin', 'pr:main');

    const job = await applyJob(sandbox, 'after-merge', pr.planFile);
    expect(job.code, job.output).toBe(0);
    expect(digestOf(await sandbox.remoteState())).toEqual({ app: reviewed.digest });
    expect(job.summary).toContain('**Applied the plan reviewed in the pull request.**');
    expect(job.summary).toContain('Apply complete! 1 imported, 0 re-imported, 0 removed, 0 failed.');
    expect(job.summary).toContain(
      '_Its signature was not checked: IMAGESTREAMS_PLAN_KEY is not available to this job._',
    );
    expect((await sandbox.remoteLog())[0]).toMatch(/^imagestreams: apply [0-9a-f]{7,}$/);
  });

  it('applies a plan signed in the pull request when both jobs have IMAGESTREAMS_PLAN_KEY', async () => {
    const reviewed = await upstream.push('ci/signed-apply', 'latest', { ...IMAGE, seed: 'signed' });
    const key = { IMAGESTREAMS_PLAN_KEY: 'k'.repeat(64) };
    const sandbox = await sandboxWith({});
    const pr = await pullRequest(sandbox, 'pr', { app: follows('ci/signed-apply') }, key);
    await pr.clone.git('push', '--quiet', 'origin', 'pr:main');
    const job = await applyJob(sandbox, 'after-merge', pr.planFile, key);
    expect(job.code, job.output).toBe(0);
    expect(job.summary).toContain('**Applied the plan reviewed in the pull request.**');
    expect(job.summary).not.toContain('signature was not checked');
    expect(digestOf(await sandbox.remoteState())).toEqual({ app: reviewed.digest });
  });

  it('plans afresh when the state changed since the plan was made, and says why in the summary', async () => {
    const base = await upstream.push('ci/base', 'latest', { ...IMAGE, seed: 'base 1' });
    const added = await upstream.push('ci/added', 'latest', { ...IMAGE, seed: 'added' });
    const sandbox = await sandboxWith({ base: follows('ci/base') });
    const first = await applyJob(sandbox, 'first-apply', join(sandbox.dir, 'no-such-plan.bin'));
    expect(first.code, first.output).toBe(0);
    expect(first.summary).toContain('**Planned afresh:** no plan was saved in the pull request.');

    const pr = await pullRequest(sandbox, 'pr', { base: follows('ci/base'), added: follows('ci/added') });
    const moved = await upstream.push('ci/base', 'latest', { ...IMAGE, seed: 'base 2' });
    const meanwhile = await applyJob(sandbox, 'meanwhile', join(sandbox.dir, 'no-such-plan.bin'));
    expect(meanwhile.code, meanwhile.output).toBe(0);
    await pr.clone.git('pull', '--quiet', '--no-rebase', 'origin', 'main');
    await pr.clone.git('push', '--quiet', 'origin', 'pr:main');

    const job = await applyJob(sandbox, 'after-merge', pr.planFile);
    expect(job.code, job.output).toBe(0);
    expect(job.summary).toContain(
      '**Planned afresh:** the plan reviewed in the pull request was not applied: Saved plan is stale: the state changed since the plan was made (serial 1, now 2).',
    );
    expect(digestOf(await sandbox.remoteState())).toEqual({ base: moved.digest, added: added.digest });
    expect(base.digest).not.toBe(moved.digest);
  });

  it('plans afresh when IMAGESTREAMS_PLAN_KEY is set and the plan is not signed (a fork made it)', async () => {
    await upstream.push('ci/fork', 'latest', { ...IMAGE, seed: 'fork' });
    const sandbox = await sandboxWith({});
    const pr = await pullRequest(sandbox, 'pr', { app: follows('ci/fork') });
    await pr.clone.git('push', '--quiet', 'origin', 'pr:main');
    const job = await applyJob(sandbox, 'after-merge', pr.planFile, { IMAGESTREAMS_PLAN_KEY: 'k'.repeat(64) });
    expect(job.code, job.output).toBe(0);
    expect(job.summary).toContain(
      `**Planned afresh:** the plan reviewed in the pull request was not applied: plan file ${pr.planFile} is not signed, and IMAGESTREAMS_PLAN_KEY is set`,
    );
    expect(Object.keys(digestOf(await sandbox.remoteState()))).toEqual(['app']);
  });

  it('commits and pushes what was imported when an import fails (upstream missing), then fails', async () => {
    const good = await upstream.push('ci/good', 'latest', { ...IMAGE, seed: 'good' });
    const sandbox = await sandboxWith({});
    const pr = await pullRequest(sandbox, 'pr', { good: follows('ci/good'), gone: follows('ci/gone') });
    expect(pr.plan.code).toBe(1);
    await pr.clone.git('push', '--quiet', 'origin', 'pr:main');

    const job = await applyJob(sandbox, 'after-merge', pr.planFile);
    expect(job.code).toBe(1);
    expect(job.output).toContain('Apply finished with errors! 1 imported, 0 re-imported, 0 removed, 1 failed.');
    expect(digestOf(await sandbox.remoteState())).toEqual({ good: good.digest });
    expect((await sandbox.remoteLog())[0]).toMatch(/^imagestreams: apply /);
    expect(job.summary).toContain(
      '**An import failed:** the imports that succeeded are recorded in the state committed.',
    );
  });
});

describe('a push the remote refuses (a protected branch)', () => {
  it('fails the job at once, saying the state was not pushed', async () => {
    await upstream.push('ci/protected', 'latest', { ...IMAGE, seed: 'protected' });
    const sandbox = await sandboxWith({ app: follows('ci/protected') });
    writeFileSync(join(sandbox.remote, 'hooks', 'pre-receive'), '#!/bin/sh\necho "main is protected" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const job = await applyJob(sandbox, 'after-merge', 'none.bin');
    expect(job.code).toBe(1);
    expect(job.output).toContain('main is protected');
    expect(job.summary).toContain(
      '**The state was not pushed:** the remote refused the push to main (the job log says why).',
    );
    expect(job.summary).not.toContain('Another commit');
    expect(await sandbox.remoteLog()).toEqual(['catalog']);
  });
});

describe('two merges in quick succession', () => {
  let first: GeneratedImage;
  let second: GeneratedImage;

  beforeAll(async () => {
    first = await upstream.push('ci/first', 'latest', { ...IMAGE, seed: 'first' });
    second = await upstream.push('ci/second', 'latest', { ...IMAGE, seed: 'second' });
  });

  /** The first merge pushed, with its job's checkout; the second merge committed by its author, not yet pushed. */
  async function twoMerges() {
    const sandbox = await sandboxWith({});
    const author = await sandbox.clone('author');
    author.write('imagestreams.yaml', catalog({ first: follows('ci/first') }));
    await author.commit('merge first');
    await author.git('push', '--quiet', 'origin', 'HEAD:main');
    const jobOne = await sandbox.clone('job-one');
    author.write('imagestreams.yaml', catalog({ first: follows('ci/first'), second: follows('ci/second') }));
    await author.commit('merge second');
    return { sandbox, author, jobOne };
  }

  it('the second lands while the first job runs: the first rebases onto it, the second applies on top; both push', async () => {
    const { sandbox, author, jobOne } = await twoMerges();
    pushFirst(jobOne, `cd "${author.path}" && git push --quiet origin HEAD:main`);
    const one = await startApplyJob(jobOne, 'none.bin');
    expect(one.code, one.output).toBe(0);
    expect(one.summary).not.toContain('Another commit changed the state first');
    const jobTwo = await sandbox.clone('job-two');
    await jobTwo.git('checkout', '--quiet', 'HEAD~1'); // the job's checkout: its merge commit, before the first apply
    const two = await startApplyJob(jobTwo, 'none.bin');
    expect(two.code, two.output).toBe(0);

    const log = await sandbox.remoteLog();
    expect(log).toEqual([
      expect.stringMatching(/^imagestreams: apply /),
      expect.stringMatching(/^imagestreams: apply /),
      'merge second',
      'merge first',
      'catalog',
    ]);
    const firstApply = JSON.parse(await sandbox.remoteFile('imagestreams.state.json', 'main~1'));
    expect(digestOf(firstApply)).toEqual({ first: first.digest });
    expect(digestOf(await sandbox.remoteState())).toEqual({ first: first.digest, second: second.digest });
  });

  it('both jobs at once: the push rejected, the second applies again on top of the first, and both land', async () => {
    const { sandbox, author, jobOne } = await twoMerges();
    await author.git('push', '--quiet', 'origin', 'HEAD:main');
    const jobTwo = await sandbox.clone('job-two');
    // The first job runs to its end while the second is about to push (from the second's pre-push hook, once).
    pushFirst(jobTwo, `cd "${jobOne.path}" && GITHUB_STEP_SUMMARY=/dev/null bash "${CI_SCRIPT}" apply none.bin`);
    const two = await startApplyJob(jobTwo, 'none.bin');
    expect(two.code, two.output).toBe(0);
    expect(two.summary).toContain(
      '**Another commit changed the state first** (attempt 1 of 5): applying again on top of it.',
    );
    expect(digestOf(await sandbox.remoteState())).toEqual({ first: first.digest, second: second.digest });
    expect(await sandbox.remoteLog()).toEqual([
      expect.stringMatching(/^imagestreams: apply /),
      'merge second',
      'merge first',
      'catalog',
    ]);
  });
});

/** Makes `clone`'s first push run `command` (in a clean git environment) just before it reaches the remote. */
function pushFirst(clone: Clone, command: string): void {
  const marker = `${clone.path}.pushed-first`;
  writeFileSync(
    join(clone.path, '.git', 'hooks', 'pre-push'),
    `#!/bin/sh\n[ -e "${marker}" ] && exit 0\ntouch "${marker}"\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX\n(${command}) >"${marker}" 2>&1\n`,
    { mode: 0o755 },
  );
}
