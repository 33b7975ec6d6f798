import { describe, expect, it } from 'vitest';
import { type HostileRegistry, OCI_MANIFEST, tinyImage, trickle } from '../helpers/hostile-registry.js';
import { Workspace } from '../helpers/workspace.js';
import { expectRefused, runOnHostileInput, useHostileRegistries } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';

const start = useHostileRegistries();

/** One byte every half second: each gap far within the 60 s idle timeout, the whole far beyond the deadline. */
const BYTE_EVERY_MS = 500;

/** A catalog importing `app:v1` from a plain-http `registry`, whose requests must be done within 2 s. */
function workspaceFor(registry: HostileRegistry): Workspace {
  const workspace = new Workspace('imagestreams-secrets-slow-');
  workspace.writeCatalog({
    registries: { [registry.host]: { insecure: true, requestTimeout: '2s' } },
    streams: { app: { v1: { from: `${registry.host}/team/app:v1` } } },
  });
  return workspace;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('a registry that trickles its answers, a byte at a time with a correct Content-Length', () => {
  it('fails plan and apply within the deadline, naming the registry, writing nothing', async () => {
    const { manifest } = tinyImage('slowloris');
    const registry = await start({
      answers: [{ method: 'GET', path: /manifests/, answer: trickle(manifest, OCI_MANIFEST, BYTE_EVERY_MS) }],
    });
    registry.putManifest('team/app', ['v1'], manifest, OCI_MANIFEST);
    const workspace = workspaceFor(registry);
    const before = treeSnapshot(workspace.dir);
    for (const command of [['plan'], ['apply', '--auto-approve']]) {
      expectRefused(
        await runOnHostileInput(command, workspace.dir),
        new RegExp(
          `registry ${escaped(registry.host)} timed out: \\d+ of ${manifest.length} bytes after 2\\.\\ds; a request may take requestTimeout \\(2s\\)`,
        ),
      );
    }
    expect(treeSnapshot(workspace.dir)).toEqual(before);
    tally({ attacks: 1 });
  });

  it('fails a token server that trickles its token, naming the token server', async () => {
    const token = Buffer.from(JSON.stringify({ token: 'slow-token', expires_in: 300 }));
    const tokenServer = await start({ routes: { '/token': trickle(token, 'application/json', BYTE_EVERY_MS) } });
    const registry = await start({ challenge: `Bearer realm="${tokenServer.origin}/token",service="slow"` });
    const workspace = workspaceFor(registry);
    expectRefused(
      await runOnHostileInput(['plan'], workspace.dir),
      new RegExp(`token server ${escaped(tokenServer.host)} of registry ${escaped(registry.host)} timed out`),
    );
    tally({ attacks: 1 });
  });
});
