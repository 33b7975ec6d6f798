import { rmSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { SeveralScopes } from '../helpers/token-server.js';
import { type CatalogSpec, Workspace } from '../helpers/workspace.js';

const { registry, upstream } = useRegistry({ mode: 'token' });
const work = new Workspace();
const REPOSITORIES = ['e2e/one', 'e2e/two', 'e2e/three'];
const pullScopes = REPOSITORIES.map((repository) => `repository:${repository}:pull`);

function catalog(): CatalogSpec {
  const streams = Object.fromEntries(
    REPOSITORIES.map((repository) => [
      repository.split('/')[1]!,
      { latest: { from: `${registry.host}/${repository}:latest` } },
    ]),
  );
  return { registries: { [registry.host]: { insecure: true } }, streams };
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
