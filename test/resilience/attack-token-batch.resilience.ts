import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type HostileRegistry, tokenEndpoint } from '../helpers/hostile-registry.js';
import { generatePki, type TestPki } from '../helpers/tls.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused, useHostileRegistries } from './support/hostile.js';
import { tally } from './support/run-context.js';
import { CANARY, canaryAuthFile } from './support/secrets.js';

let pki: TestPki;
beforeAll(() => {
  pki = generatePki();
});

const start = useHostileRegistries();

const REPOSITORIES = ['team/one', 'team/two', 'team/three', 'team/four', 'team/five'];

/** A workspace whose catalog imports one tag from each of `REPOSITORIES` of `registry`, with the canary password. */
function workspaceFor(registry: HostileRegistry) {
  const workspace = new Workspace('imagestreams-token-batch-');
  writeFileSync(workspace.file('ca.pem'), pki.caPem);
  mkdirSync(workspace.file('secrets'));
  writeFileSync(join(workspace.dir, 'secrets', 'pull-secret.json'), canaryAuthFile([registry.host]));
  const streams = Object.fromEntries(
    REPOSITORIES.map((repository) => [
      repository.split('/')[1]!,
      { v1: { from: `${registry.host}/${repository}:v1` } },
    ]),
  );
  workspace.writeCatalog({
    registries: { [registry.host]: { ca: 'ca.pem', auth: { secret: 'secrets/pull-secret.json' } } },
    streams,
  });
  return workspace;
}

describe('a token server that refuses the password', () => {
  it('is not sent the password again for each repository it was refused for together', async () => {
    const registry = await start({
      tls: pki.server,
      challenge: (origin) => `Bearer realm="${origin}/token",service="lockout"`,
      routes: { '/token': tokenEndpoint(CANARY.bearerToken, () => false) },
    });
    const workspace = workspaceFor(registry);
    expectRefused(await runCliMeasured(['plan'], workspace.dir, { timeoutMs: 60_000 }), /refused the credentials/);
    const passwordsSent = registry.requests.filter((r) => r.path === '/token' && r.authorization);
    expect(passwordsSent.length).toBeLessThan(REPOSITORIES.length);
    tally({ attacks: 1 });
  });
});
