import { rmSync, writeFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { parsePlanJson } from '../helpers/plan-text.js';
import type { SeveralScopes } from '../helpers/token-server.js';
import { type CatalogSpec, Workspace } from '../helpers/workspace.js';

/**
 * A user the token server refuses (401) for `e2e/one`, the first repository asked, even in a request that names
 * other repositories too.
 */
const READER = { username: 'reader', password: 'pw-reader-Hq3Lx9', denied: ['e2e/one'] };
const { registry, upstream } = useRegistry({ mode: 'token', token: { users: { [READER.username]: READER } } });
const work = new Workspace();
const REPOSITORIES = ['e2e/one', 'e2e/two', 'e2e/three'];
const pullScopes = REPOSITORIES.map((repository) => `repository:${repository}:pull`);

function catalog(auth?: { secret: string }): CatalogSpec {
  const streams = Object.fromEntries(
    REPOSITORIES.map((repository) => [
      repository.split('/')[1]!,
      { latest: { from: `${registry.host}/${repository}:latest` } },
    ]),
  );
  return { registries: { [registry.host]: { insecure: true, ...(auth && { auth }) } }, streams };
}

beforeAll(async () => {
  for (const repository of REPOSITORIES) await upstream.push(repository, 'latest', { platforms: ['linux/amd64'] });
  work.writeCatalog(catalog());
  await work.expectRun(['apply', '--auto-approve'], 0);
});

beforeEach(() => {
  registry.tokenServer!.setSeveralScopes('grant');
  registry.tokenServer!.clearRequests();
});

/** Runs a no-op plan with the token server answering requests for several scopes as `answer` says. */
async function noopPlanWith(answer: SeveralScopes) {
  registry.tokenServer!.setSeveralScopes(answer);
  const plan = await work.expectRun(['plan', '--detailed-exitcode'], 0);
  expect(plan.stdout).toContain('No changes.');
  return registry.tokenServer!.requests.map(({ status, scopes }) => ({ status, scopes: [...scopes].sort() }));
}

describe('the tokens of a plan over several repositories of one registry', () => {
  it('come from one token request naming every repository', async () => {
    expect(await noopPlanWith('grant')).toEqual([{ status: 200, scopes: [...pullScopes].sort() }]);
  });

  it('are asked for one repository at a time when the token server grants only the first scope', async () => {
    const requests = await noopPlanWith('grant-first');
    expect(requests[0]).toEqual({ status: 200, scopes: [...pullScopes].sort() });
    expect(requests.slice(1).flatMap((request) => request.scopes)).toHaveLength(REPOSITORIES.length - 1);
  });

  it('are asked for one repository at a time when the token server refuses several scopes', async () => {
    const requests = await noopPlanWith('refuse');
    expect(requests[0]).toEqual({ status: 400, scopes: [...pullScopes].sort() });
    expect(requests.slice(1).sort((a, b) => a.scopes[0]!.localeCompare(b.scopes[0]!))).toEqual(
      [...pullScopes].sort().map((scope) => ({ status: 200, scopes: [scope] })),
    );
  });
});

describe('the tokens of an apply over several repositories of one registry', () => {
  it('come from one token request naming every repository, asked before the tags are read one at a time', async () => {
    rmSync(work.statePath);
    await work.expectRun(['apply', '--auto-approve', '--concurrency', '1'], 0);
    const requests = registry.tokenServer!.requests.map(({ status, scopes }) => ({
      status,
      scopes: [...scopes].sort(),
    }));
    expect(requests).toEqual([{ status: 200, scopes: [...pullScopes].sort() }]);
  });
});

describe('the tokens of a plan whose credentials are refused (401) for one repository among several', () => {
  it('are asked for one repository at a time once a request naming none shows the credentials right: only the denied one fails', async () => {
    const reader = new Workspace();
    const auth = Buffer.from(`${READER.username}:${READER.password}`).toString('base64');
    writeFileSync(reader.file('reader.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    reader.writeCatalog(catalog({ secret: 'reader.json' }));
    const plan = parsePlanJson((await reader.expectRun(['plan', '--json'], 1)).stdout);
    expect(plan.errors.map((error) => [error.address, error.reason])).toEqual([['one:latest', 'Unauthorized']]);
    expect(plan.changes.map((change) => [change.address, change.action])).toEqual([
      ['two:latest', 'create'],
      ['three:latest', 'create'],
    ]);
    const [joined, check, ...alone] = registry.tokenServer!.requests.map(({ status, scopes }) => ({
      status,
      scopes: [...scopes].sort(),
    }));
    expect(joined).toEqual({ status: 401, scopes: [...pullScopes].sort() });
    expect(check).toEqual({ status: 200, scopes: [] });
    expect(alone.every(({ scopes }) => scopes.length === 1)).toBe(true);
    const scopesAnswered = (status: number) =>
      alone.filter((request) => request.status === status).map(({ scopes }) => scopes[0]);
    expect(scopesAnswered(200).sort()).toEqual([pullScopes[1], pullScopes[2]].sort());
    expect(new Set(scopesAnswered(401))).toEqual(new Set([pullScopes[0]]));
  });
});
