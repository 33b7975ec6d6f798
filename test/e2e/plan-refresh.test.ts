import { beforeAll, describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { parsePlanJson } from '../helpers/plan-text.js';
import { insecure, Workspace } from '../helpers/workspace.js';

const { proxy, upstream } = useRegistry({ faultProxy: true });
const work = new Workspace();

const MOVED = '/v2/e2e/refresh-moved/';
const source = (repository: string, tag: string) => `${proxy.host}/${repository}:${tag}`;

beforeAll(async () => {
  await upstream.push('e2e/refresh-moved', 'latest', { platforms: ['linux/amd64', 'linux/arm64'] });
  await upstream.push('e2e/refresh-new', 'v1', { platforms: ['linux/amd64'] });
  const latest = { from: source('e2e/refresh-moved', 'latest'), scheduled: true };
  work.writeCatalog({ registries: insecure(proxy.host), streams: { app: { latest } } });
  await work.expectRun(['apply', '--auto-approve'], 0);
  await upstream.push('e2e/refresh-moved', 'latest', { platforms: ['linux/amd64', 'linux/arm64'], seed: 'moved' });
  work.writeCatalog({
    registries: insecure(proxy.host),
    streams: { app: { latest, new: { from: source('e2e/refresh-new', 'v1') } } },
  });
});

describe('plan --refresh=false', () => {
  it('asks the registry nothing about a tag that needs no import, though its upstream moved', async () => {
    proxy.reset();
    await work.expectRun(['plan', '--refresh=false'], 0);
    expect(proxy.requests.filter((r) => r.path.startsWith(MOVED))).toEqual([]);
  });

  it('does not show the moved scheduled tag as an update, and still plans the new tag', async () => {
    const text = await work.expectRun(['plan', '--refresh=false', '--detailed-exitcode'], 2);
    expect(text.stdout).toMatch(/^ {2}\+ app:new /m);
    expect(text.stdout).not.toMatch(/^ {2}[~+-] app:latest/m);
    expect(text.stdout).toMatch(/^Plan: 1 to import, 0 to re-import, 0 to remove\. 1 unchanged\.$/m);
    const plan = parsePlanJson((await work.expectRun(['plan', '--refresh=false', '--json'], 0)).stdout);
    expect(plan.changes.map((c) => [c.address, c.action, c.reason])).toEqual([
      ['app:latest', 'noop', null],
      ['app:new', 'create', 'new_tag'],
    ]);
  });
});

describe('plan --refresh', () => {
  it.each([[['--refresh']], [['--refresh=true']], [[]]])(
    '%j asks the registry and shows the moved tag',
    async (flags) => {
      proxy.reset();
      const result = await work.expectRun(['plan', ...flags, '--detailed-exitcode'], 2);
      expect(result.stdout).toMatch(/^ {2}~ app:latest .*scheduled: upstream moved\)$/m);
      expect(result.stdout).toMatch(/^ {2}\+ app:new /m);
      expect(proxy.count({ method: 'HEAD', path: `${MOVED}manifests/latest` })).toBe(1);
    },
  );

  it('rejects a value that is not a boolean', async () => {
    const result = await work.run(['plan', '--refresh=maybe']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/option '--refresh' argument 'maybe' is invalid\. expected true or false/);
  });
});
