import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { eventually, WatchWorkspace } from '../helpers/watch-workspace.js';

/** A token-auth registry that refuses anonymous pulls. */
const { registry } = useRegistry({ mode: 'token', token: { anonymousPull: false } });
const WRONG_PASSWORD = 'pw-wrong-Vc3Np8Qs1';

describe('watch with credentials that are replaced while it runs', () => {
  it('uses the new credentials of a rewritten --authfile without a restart or a catalog change', async () => {
    const ws = new WatchWorkspace(registry);
    const digest = await ws.push('latest', 'v1');
    ws.writeCatalog({ latest: ['latest', true] });
    const authFile = join(ws.dir, 'auth.json');
    /** As a Secret update: the new file is written beside it, then renamed over it. */
    const publishAuthFile = (password: string) => {
      const auth = Buffer.from(`${registry.username}:${password}`).toString('base64');
      writeFileSync(`${authFile}.new`, JSON.stringify({ auths: { [registry.host]: { auth } } }));
      renameSync(`${authFile}.new`, authFile);
    };
    publishAuthFile(WRONG_PASSWORD);
    const watch = ws.watch(['--interval', '2s', '--authfile', 'auth.json']);

    const refused = await watch.event((e) => e.type === 'failed', 'the check with the wrong password to fail');
    expect(refused).toMatchObject({ address: 'app:latest', reason: 'Unauthorized' });
    expect(refused.message).toMatch(/refused the credentials from --authfile .*auth\.json/);

    publishAuthFile(registry.password!);
    const reloaded = await watch.event((e) => e.type === 'catalog-reloaded', 'the reload of the credentials');
    expect(reloaded).toMatchObject({ catalog: 'imagestreams.yaml', tags: 1, credentials: [authFile] });
    await watch.event((e) => e.type === 'imported', 'the import with the new credentials');
    await eventually(() => (ws.sourceDigest('latest') === digest ? true : undefined), 'the state to hold the import');

    expect(await watch.stop()).toBe(0);
    expect(watch.log).not.toContain(WRONG_PASSWORD);
    expect(watch.log).not.toContain(registry.password);
  });

  it('does not start with a pull secret it cannot parse: exit 1 naming the file, as plan does, never its content', async () => {
    const ws = new WatchWorkspace(registry);
    await ws.push('latest', 'v1');
    const catalog = parse(ws.catalogText({ latest: ['latest', true] }));
    catalog.registries[registry.host].auth = { secret: 'pull.json' };
    writeFileSync(ws.catalogPath, stringify(catalog));
    writeFileSync(join(ws.dir, 'pull.json'), `{"auths": {"${registry.host}": {"password": "${WRONG_PASSWORD}"`);

    const watch = await ws.run(['watch', '--json']);
    expect(watch.code).toBe(1);
    expect(watch.stderr).toMatch(/^error: pull\.json:1:\d+: invalid JSON$/m);
    expect(watch.stderr).not.toContain('"type":"started"');
    const plan = await ws.run(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(/pull\.json:1:\d+: invalid JSON/.exec(watch.stderr)?.[0]);
    expect(`${watch.stdout}${watch.stderr}${plan.stdout}${plan.stderr}`).not.toContain(WRONG_PASSWORD);
  });
});
