import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CI_SCRIPT, CiSandbox, run } from '../helpers/ci-sandbox.js';
import { type ListeningServer, listenOnLoopback, readBody } from '../helpers/http-server.js';

// `imagestreams-ci.sh comment FILE`, the recipes' plan comment, against stand-ins of GitHub's issue comments API and
// GitLab's merge request notes API on loopback.

const MARKER = '<!-- imagestreams-plan -->';

interface Comment {
  id: number;
  body: string;
  author: string;
}

interface Flavour {
  name: string;
  /** The job's variables, for an API at `origin`. */
  env(origin: string): NodeJS.ProcessEnv;
  /** The account the token belongs to. */
  me: string;
  route(method: string, path: string): { list: true } | { create: true } | { update: number } | undefined;
  render(comment: Comment): unknown;
}

const github: Flavour = {
  name: 'GitHub',
  me: 'github-actions[bot]',
  env: (origin) => ({
    GITHUB_API_URL: origin,
    GITHUB_REPOSITORY: 'org/catalog',
    GITHUB_REF: 'refs/pull/7/merge',
    GITHUB_TOKEN: 'token-of-the-job',
  }),
  route(method, path) {
    if (path === '/repos/org/catalog/issues/7/comments') return method === 'GET' ? { list: true } : { create: true };
    const update = /^\/repos\/org\/catalog\/issues\/comments\/(\d+)$/.exec(path);
    return update && method === 'PATCH' ? { update: Number(update[1]) } : undefined;
  },
  render: (c) => ({ id: c.id, body: c.body, user: { login: c.author } }),
};

const gitlab: Flavour = {
  name: 'GitLab',
  me: 'project_5_bot',
  env: (origin) => ({
    GITLAB_CI: 'true',
    CI_API_V4_URL: `${origin}/api/v4`,
    CI_PROJECT_ID: '5',
    CI_MERGE_REQUEST_IID: '3',
    IMAGESTREAMS_GITLAB_TOKEN: 'token-of-the-job',
  }),
  route(method, path) {
    const notes = '/api/v4/projects/5/merge_requests/3/notes';
    if (path === notes) return method === 'GET' ? { list: true } : { create: true };
    const update = new RegExp(`^${notes}/(\\d+)$`).exec(path);
    return update && method === 'PUT' ? { update: Number(update[1]) } : undefined;
  },
  render: (c) => ({ id: c.id, body: c.body, author: { id: c.author === 'project_5_bot' ? 42 : 7 } }),
};

/** A stand-in for the API: comments in memory, 100 a page; `/api/v4/user` answers the token's account (GitLab). */
async function fakeApi(flavour: Flavour, comments: Comment[]): Promise<ListeningServer> {
  return listenOnLoopback(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const authorised =
      request.headers.authorization === 'Bearer token-of-the-job' ||
      request.headers['private-token'] === 'token-of-the-job';
    const route = flavour.route(request.method ?? 'GET', url.pathname);
    const reply = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    if (!authorised) return reply(401, { message: 'Unauthorized' });
    if (url.pathname === '/api/v4/user') return reply(200, { id: 42, username: flavour.me });
    if (!route) return reply(404, { message: 'Not Found' });
    if ('list' in route) {
      const page = Number(url.searchParams.get('page') ?? 1);
      return reply(200, comments.slice((page - 1) * 100, page * 100).map(flavour.render));
    }
    const { body } = JSON.parse((await readBody(request)).toString('utf8')) as { body: string };
    if ('create' in route) {
      const comment = { id: 1000 + comments.length, body, author: flavour.me };
      comments.push(comment);
      return reply(201, flavour.render(comment));
    }
    const comment = comments.find((c) => c.id === route.update);
    if (!comment || comment.author !== flavour.me) return reply(403, { message: 'Forbidden' });
    comment.body = body;
    return reply(200, flavour.render(comment));
  });
}

describe.each([github, gitlab])('the plan comment on $name', (flavour) => {
  const sandbox = new CiSandbox();
  const planFile = join(sandbox.dir, 'plan.md');
  const comments: Comment[] = [];
  let api: ListeningServer;

  beforeAll(async () => {
    for (let i = 0; i < 120; i++) comments.push({ id: i + 1, body: `review ${i}`, author: 'reviewer' });
    comments.push({ id: 500, body: `quoting the plan: ${MARKER}`, author: 'reviewer' });
    api = await fakeApi(flavour, comments);
  });
  afterAll(() => api.close());

  const comment = (body: string, env: NodeJS.ProcessEnv = flavour.env(api.origin)) => {
    writeFileSync(planFile, body);
    return run('bash', [CI_SCRIPT, 'comment', planFile], sandbox.dir, sandbox.env(env));
  };

  it('is posted once, then edited in place by each later run: found by its marker and its author', async () => {
    const first = await comment(`${MARKER}\nplan of the first push\n`);
    expect(first, first.output).toEqual({ code: 0, output: 'imagestreams-ci.sh: plan comment posted\n' });
    const second = await comment(`${MARKER}\nplan of the second push\n`);
    expect(second, second.output).toEqual({ code: 0, output: 'imagestreams-ci.sh: plan comment updated\n' });

    const ours = comments.filter((c) => c.author === flavour.me);
    expect(ours.map((c) => c.body)).toEqual([`${MARKER}\nplan of the second push\n`]);
    expect(comments.find((c) => c.id === 500)?.body).toBe(`quoting the plan: ${MARKER}`);
    expect(comments).toHaveLength(122);
  });

  it('is skipped, saying so, without a token (a pull request from a fork)', async () => {
    const env = Object.fromEntries(Object.entries(flavour.env(api.origin)).filter(([k]) => !k.endsWith('TOKEN')));
    const result = await comment(`${MARKER}\nplan\n`, env);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(
      /^imagestreams-ci\.sh: no comment: \w+ is not set \(as in a pull request from a fork\)\n$/,
    );
  });

  it('fails the step on an API error, naming the call and never the token', async () => {
    const result = await comment(`${MARKER}\nplan\n`, {
      ...flavour.env(api.origin),
      GITHUB_TOKEN: 'wrong',
      IMAGESTREAMS_GITLAB_TOKEN: 'wrong',
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/^imagestreams-ci\.sh: the plan comment failed: GET \/\S+: HTTP 401\n$/);
    expect(result.output).not.toContain('wrong');
  });
});
