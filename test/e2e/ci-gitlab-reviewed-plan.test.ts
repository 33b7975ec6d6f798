import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CiSandbox, run } from '../helpers/ci-sandbox.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { type ListeningServer, listenOnLoopback } from '../helpers/http-server.js';

// The first step of the GitLab recipe's apply job finds the merge request a commit came from and downloads the plan
// its pipeline saved: run as written in examples/ci/gitlab/.gitlab-ci.yml (under bash -eo pipefail, as the runner
// runs it), against a stand-in of GitLab's API.

const recipe = parse(readFileSync(join(REPO_ROOT, 'examples', 'ci', 'gitlab', '.gitlab-ci.yml'), 'utf8')) as {
  'imagestreams-apply': { script: string[] };
};
const DOWNLOAD_STEP = recipe['imagestreams-apply'].script[0]!;

const PLAN = '{"kind":"imagestreams-plan"}\n';
const COMMITS: Record<string, unknown[]> = {
  'merged-commit': [
    { iid: 2, state: 'closed' },
    { iid: 3, state: 'merged' },
  ],
  'pushed-commit': [],
  'no-plan-commit': [{ iid: 4, state: 'merged' }],
};

describe('the GitLab apply job, finding the plan reviewed in the merge request', () => {
  const sandbox = new CiSandbox();
  let api: ListeningServer;

  beforeAll(async () => {
    api = await listenOnLoopback((request, response) => {
      const url = request.url ?? '/';
      const commit = /^\/api\/v4\/projects\/5\/repository\/commits\/([\w-]+)\/merge_requests$/.exec(url)?.[1];
      const authorised = request.headers['private-token'] === 'token-of-the-job';
      if (authorised && commit && COMMITS[commit]) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(COMMITS[commit]));
      } else if (
        authorised &&
        url ===
          '/api/v4/projects/5/jobs/artifacts/refs%2Fmerge-requests%2F3%2Fhead/raw/imagestreams-plan/plan.bin?job=imagestreams-plan'
      ) {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(PLAN);
      } else {
        response.writeHead(404).end('{"message":"404 Not Found"}');
      }
    });
  });
  afterAll(() => api.close());

  /** Runs the step in a fresh directory; returns what it downloaded and the reason it exported for the summary. */
  async function downloadStep(commit: string) {
    const dir = tempDir('imagestreams-gitlab-job-').path;
    const script = `${DOWNLOAD_STEP}\nprintf 'reason=%s' "\${IMAGESTREAMS_NO_PLAN_REASON-}"`;
    const result = await run('bash', ['-e', '-o', 'pipefail', '-c', script], dir, {
      ...sandbox.env(),
      CI_API_V4_URL: `${api.origin}/api/v4`,
      CI_PROJECT_ID: '5',
      CI_COMMIT_SHA: commit,
      CI_COMMIT_SHORT_SHA: commit.slice(0, 8),
      IMAGESTREAMS_GITLAB_TOKEN: 'token-of-the-job',
    });
    const plan = join(dir, 'reviewed', 'plan.bin');
    return { ...result, plan: existsSync(plan) ? readFileSync(plan, 'utf8') : undefined };
  }

  it("downloads the saved plan of the merged merge request's pipeline", async () => {
    const step = await downloadStep('merged-commit');
    expect(step.code, step.output).toBe(0);
    expect(step.plan).toBe(PLAN);
    expect(step.output).toBe('reason=');
  });

  it('gives the reason when the commit was pushed, not merged from a merge request', async () => {
    const step = await downloadStep('pushed-commit');
    expect(step).toMatchObject({ code: 0, plan: undefined });
    expect(step.output).toBe('reason=pushed-c was not found merged from a merge request');
  });

  it("gives the reason when the merge request's pipeline kept no plan", async () => {
    const step = await downloadStep('no-plan-commit');
    expect(step).toMatchObject({ code: 0, plan: undefined });
    expect(step.output).toMatch(/reason=the last successful pipeline of merge request !4 kept no saved plan$/);
  });
});
