import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type HostileRegistry, json, tokenEndpoint } from '../helpers/hostile-registry.js';
import { generatePki, type TestPki } from '../helpers/tls.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused, runOnHostileInput, useHostileRegistries } from './support/hostile.js';
import { tally } from './support/run-context.js';
import { CANARY, canaryAuthFile } from './support/secrets.js';

let pki: TestPki;
beforeAll(() => {
  pki = generatePki();
});

const start = useHostileRegistries();

const REPOSITORIES = ['team/one', 'team/two', 'team/three', 'team/four', 'team/five'];

/** A workspace whose catalog imports `tags` tags from each of `repositories` of `registry`, with the canary password. */
function workspaceFor(registry: HostileRegistry, repositories = REPOSITORIES, tags = 1) {
  const workspace = new Workspace('imagestreams-token-batch-');
  writeFileSync(workspace.file('ca.pem'), pki.caPem);
  mkdirSync(workspace.file('secrets'));
  writeFileSync(join(workspace.dir, 'secrets', 'pull-secret.json'), canaryAuthFile([registry.host]));
  const streams = Object.fromEntries(
    repositories.map((repository) => [
      repository.split('/')[1]!,
      Object.fromEntries(
        Array.from({ length: tags }, (_, i) => [`v${i + 1}`, { from: `${registry.host}/${repository}:v${i + 1}` }]),
      ),
    ]),
  );
  workspace.writeCatalog({
    registries: { [registry.host]: { ca: 'ca.pem', auth: { secret: 'secrets/pull-secret.json' } } },
    streams,
  });
  return workspace;
}

const refusingEverything = () =>
  start({
    tls: pki.server,
    challenge: (origin) => `Bearer realm="${origin}/token",service="lockout"`,
    routes: { '/token': tokenEndpoint(CANARY.bearerToken, () => false) },
  });

describe('a token server that refuses the password', () => {
  it('is not sent the password again for each repository it was refused for together', async () => {
    const registry = await refusingEverything();
    const workspace = workspaceFor(registry);
    expectRefused(await runCliMeasured(['plan'], workspace.dir, { timeoutMs: 60_000 }), /refused the credentials/);
    const passwordsSent = registry.requests.filter((r) => r.path === '/token' && r.authorization);
    expect(passwordsSent.length).toBeLessThan(REPOSITORIES.length);
    tally({ attacks: 1 });
  });

  it('is sent the password a few times per command, however many repositories and tags it reads', async () => {
    const registry = await refusingEverything();
    const repositories = Array.from({ length: 40 }, (_, i) => `team/r${i}`);
    const workspace = workspaceFor(registry, repositories, 3);
    expectRefused(await runCliMeasured(['plan'], workspace.dir, { timeoutMs: 60_000 }), /refused the credentials/);
    const passwordsSent = registry.requests.filter((r) => r.path === '/token' && r.authorization);
    // one joined request per 16 repositories, and one request naming no repository that shows the password wrong
    expect(passwordsSent.length).toBeLessThanOrEqual(Math.ceil(repositories.length / 16) + 1);
    tally({ attacks: 1 });
  });
});

describe('a registry that answers its ping anonymously and asks for credentials per repository', () => {
  it('is not sent the password again for each repository once its token server refused it', async () => {
    const registry = await start({
      tls: pki.server,
      challenge: (origin) => `Bearer realm="${origin}/token",service="lockout"`,
      routes: {
        '/v2/': (_request, response) => json(response, 200, {}),
        '/token': tokenEndpoint(CANARY.bearerToken, () => false),
      },
    });
    const repositories = Array.from({ length: 40 }, (_, i) => `team/r${i}`);
    const workspace = workspaceFor(registry, repositories, 3);
    expectRefused(await runCliMeasured(['plan'], workspace.dir, { timeoutMs: 60_000 }), /refused the credentials/);
    const passwordsSent = registry.requests.filter((r) => r.path === '/token' && r.authorization);
    // at most one per connection to the registry (8) before the first refusal, and one naming no repository
    expect(passwordsSent.length).toBeLessThanOrEqual(8 + 1);
    tally({ attacks: 1 });
  });
});

describe('a token server that is down, answering 503 to every token request', () => {
  it('is asked for the token of a repository a few times, not once more for each of its tags that waited', async () => {
    const registry = await start({
      tls: pki.server,
      challenge: (origin) => `Bearer realm="${origin}/token",service="down"`,
      routes: { '/token': (_request, response) => json(response, 503, { errors: [{ code: 'UNAVAILABLE' }] }) },
    });
    const workspace = workspaceFor(registry, ['team/app'], 12);
    // runOnHostileInput stops a command after 30 s: each waiting tag fetching again in turn took longer than that.
    expectRefused(await runOnHostileInput(['plan'], workspace.dir), /503|unavailable/i);
    const tokenRequests = registry.requests.filter((r) => r.path === '/token');
    // one fetch and its retries (maxRetries 4), shared by the tags waiting for it
    expect(tokenRequests.length).toBeLessThanOrEqual(5);
    tally({ attacks: 1 });
  });
});
