import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { Workspace } from '../helpers/workspace.js';

const { registry, upstream } = useRegistry({ mode: 'basic' });

/** A cluster's record of a failed import whose message repeats the registry's password, raw and in a basic header. */
function streamWithLeakyCondition(host: string, password: string, digest: string): string {
  const basic = Buffer.from(`${registry.username}:${password}`).toString('base64');
  return JSON.stringify({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'app', namespace: 'images' },
    spec: { tags: [{ name: '1', from: { kind: 'DockerImage', name: `${host}/team/app:1` } }] },
    status: {
      tags: [
        {
          tag: '1',
          items: [
            {
              created: '2026-01-02T03:04:05Z',
              image: digest,
              dockerImageReference: `${host}/team/app@${digest}`,
              generation: 1,
            },
          ],
          conditions: [
            {
              type: 'ImportSuccess',
              status: 'False',
              reason: 'Unauthorized',
              message: `login with ${registry.username}:${password} failed; sent Authorization: Basic ${basic}`,
              generation: 2,
              lastTransitionTime: '2026-01-03T00:00:00Z',
            },
          ],
        },
      ],
    },
  });
}

describe('adopt of a cluster whose import messages repeat a credential', () => {
  it('records the failed import in the state without the credential in any form', async () => {
    const image = await upstream.push('team/app', '1', { platforms: ['linux/amd64'] });
    const work = new Workspace('imagestreams-adopt-secret-');
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    writeFileSync(join(work.dir, 'auth.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    copyFileSync(registry.ca!.caCertPath, join(work.dir, 'ca.pem'));
    work.writeCatalog(
      `apiVersion: imagestreams/v1\nkind: Catalog\nregistries:\n  "${registry.host}": { ca: ca.pem }\nstreams: {}\n`,
    );
    writeFileSync(work.file('is.json'), streamWithLeakyCondition(registry.host, registry.password!, image.digest));

    const result = await work.expectRun(['adopt', 'is.json', '--authfile', 'auth.json'], 0);

    const condition = work.state().streams.app!.tags['1']!.conditions[0]!;
    expect(condition.reason).toBe('Unauthorized');
    expect(condition.message).toContain('[redacted]');
    const everything = `${result.stdout}${result.stderr}${JSON.stringify(work.state())}`;
    expect(everything).not.toContain(registry.password);
    expect(everything).not.toContain(auth);
  });
});
