import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type HostileRegistry, tokenEndpoint } from '../helpers/hostile-registry.js';
import { generatePki, type TestPki } from '../helpers/tls.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused, useHostileRegistries } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';
import { CANARY, canaryAuthFile, canaryIdentityTokenAuthFile } from './support/secrets.js';

let pki: TestPki;
beforeAll(() => {
  pki = generatePki();
});

const start = useHostileRegistries();

/** A plain-http token server that records whatever reaches it, and issues the canary bearer token. */
const plainTokenServer = () => start({ routes: { '/token': tokenEndpoint(CANARY.bearerToken) } });

type Credentials = 'identity token in an authfile' | 'password in a pull secret';

/** A workspace whose catalog imports `app:v1` from `registry`, verified with its CA, with the canary credentials. */
function workspaceFor(registry: HostileRegistry, credentials: Credentials, settings: Record<string, unknown> = {}) {
  const workspace = new Workspace('imagestreams-secrets-realm-');
  writeFileSync(workspace.file('ca.pem'), pki.caPem);
  const registrySettings: Record<string, unknown> = { ca: 'ca.pem', ...settings };
  let args: string[] = [];
  if (credentials === 'identity token in an authfile') {
    writeFileSync(workspace.file('auth.json'), canaryIdentityTokenAuthFile([registry.host]));
    args = ['--authfile', 'auth.json'];
  } else {
    mkdirSync(workspace.file('secrets'));
    writeFileSync(join(workspace.dir, 'secrets', 'pull-secret.json'), canaryAuthFile([registry.host]));
    registrySettings.auth = { secret: 'secrets/pull-secret.json' };
  }
  workspace.writeCatalog({
    registries: { [registry.host]: registrySettings },
    streams: { app: { v1: { from: `${registry.host}/team/app:v1`, scheduled: true } } },
  });
  return { workspace, args };
}

describe.each<Credentials>(['identity token in an authfile', 'password in a pull secret'])(
  'an https registry naming a plain-http token realm (%s)',
  (credentials) => {
    it('is refused before anything is sent there, the message naming the registry and the scheme', async () => {
      const tokenServer = await plainTokenServer();
      const registry = await start({
        tls: pki.server,
        challenge: `Bearer realm="${tokenServer.origin}/token",service="downgrade"`,
      });
      const { workspace, args } = workspaceFor(registry, credentials);
      const refusal = new RegExp(
        `registry ${registry.host} is reached over https but names a token server over plain http \\(realm http://${tokenServer.host}/token\\): refused, no credentials were sent`,
      );
      const before = treeSnapshot(workspace.dir);
      for (const command of [['plan'], ['apply', '--auto-approve']]) {
        expectRefused(await runCliMeasured([...command, ...args], workspace.dir, { timeoutMs: 60_000 }), refusal);
      }
      expect(treeSnapshot(workspace.dir)).toEqual(before);
      expectRefused(await runCliMeasured(['watch', '--once', ...args], workspace.dir, { timeoutMs: 60_000 }), refusal);
      expect(workspace.state().streams.app!.tags.v1!.conditions[0]!.message).toMatch(refusal);
      expect(tokenServer.requests).toEqual([]);
      tally({ attacks: 1 });
    });
  },
);

describe('a challenge that gives its realm or service twice', () => {
  it.each([
    ['realm', (good: string, bad: string) => `Bearer realm="${good}",service="s",realm="${bad}"`],
    ['service', (good: string) => `Bearer realm="${good}",service="registry",service="other"`],
  ])('is refused (%s), with no token requested from either realm', async (name, challenge) => {
    const tokenServer = await plainTokenServer();
    const ownTokenServer = await start({ tls: pki.server, routes: { '/token': tokenEndpoint(CANARY.bearerToken) } });
    const registry = await start({
      tls: pki.server,
      challenge: challenge(`${ownTokenServer.origin}/token`, `${tokenServer.origin}/token`),
    });
    const { workspace, args } = workspaceFor(registry, 'identity token in an authfile');
    const outcome = await runCliMeasured(['plan', ...args], workspace.dir, { timeoutMs: 60_000 });
    expectRefused(
      outcome,
      new RegExp(
        `registry ${registry.host} sent an authentication challenge that gives "${name}" more than once; refused`,
      ),
    );
    expect([...tokenServer.requests, ...ownTokenServer.requests]).toEqual([]);
    tally({ attacks: 1 });
  });
});

describe('a plain-http token realm', () => {
  it('is used when the registry is set insecure', async () => {
    const tokenServer = await plainTokenServer();
    const registry = await start({
      tls: pki.server,
      challenge: `Bearer realm="${tokenServer.origin}/token",service="allowed"`,
    });
    const { workspace, args } = workspaceFor(registry, 'identity token in an authfile', { insecure: true });
    await runCliMeasured(['plan', ...args], workspace.dir, { timeoutMs: 60_000 });
    expect(tokenServer.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /token');
  });
});
