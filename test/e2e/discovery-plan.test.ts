import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan-model.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { tooManyRequests } from '../helpers/fault-proxy.js';
import { fillWithTags, numberedTags } from '../helpers/many-tags.js';
import { parsePlanJson } from '../helpers/plan-text.js';
import { eventually, WatchProcess } from '../helpers/watch-workspace.js';
import { Workspace } from '../helpers/workspace.js';

const { proxy, upstream } = useRegistry({ faultProxy: true });

/** Nine versions, three of them outside `>=15 <18`, among 2,991 tags that are not versions: 3,000 in all. */
const VERSIONS = ['14.9.0', '15.0.0', '15.1.0', '16.0.0', '16.1.0', '17.0.0', '17.1.0', '18.0.0', '18.1.0'];
const TAGS = [...VERSIONS, ...numberedTags(2991, (i) => `build-${i}`)];
const TAG_LISTS = /\/tags\/list$/;

function catalog(repository: string, options: { prune?: boolean; scheduled?: boolean } = {}): string {
  return `apiVersion: imagestreams/v1
kind: Catalog
registries:
  "${proxy.host}": { insecure: true }
streams:
  postgres:
    discover:
      from: ${proxy.host}/${repository}
      policy: { semver: '>=15 <18' }
      keep: 3
${options.prune === false ? '      prune: false\n' : ''}${options.scheduled ? '      scheduled: true\n' : ''}`;
}

/** The non-noop changes of a plan, as `create postgres:17.1.0`. */
function actions(plan: Plan): string[] {
  return plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`);
}

function stateTags(work: Workspace): string[] {
  return Object.keys(work.state().streams.postgres?.tags ?? {}).sort();
}

async function planJson(work: Workspace, args: string[] = []): Promise<Plan> {
  return parsePlanJson((await work.expectRun(['plan', '--json', ...args], 0)).stdout);
}

describe('a stream following a repository of 3,000 tags with a semver policy and keep: 3', () => {
  const repo = 'e2e/postgres';
  const work = new Workspace();

  beforeAll(async () => {
    await fillWithTags(upstream, repo, TAGS);
    work.writeCatalog(catalog(repo));
  }, 120_000);

  it('plans exactly the three newest versions in range, and says what it left out', async () => {
    const plan = await planJson(work);
    expect(actions(plan)).toEqual(['create postgres:17.1.0', 'create postgres:17.0.0', 'create postgres:16.1.0']);
    expect(plan.changes.find((c) => c.tag === '17.1.0')!.from).toBe(`${proxy.host}/${repo}:17.1.0`);
    expect(plan.discoveries).toEqual([
      expect.objectContaining({ tags: ['17.1.0', '17.0.0', '16.1.0'], listed: 3000, unordered: 2991, outOfRange: 3 }),
    ]);
    const text = await work.expectRun(['plan'], 0);
    expect(text.stdout.split('\n')[0]).toBe(
      `postgres: discovered 3 of 3,000 tags from ${proxy.host}/${repo} (semver >=15 <18); 2,991 not versions, 3 out of range`,
    );
    expect(text.stdout).toContain('  + postgres:17.1.0  ');
    const markdown = await work.expectRun(['plan', '--format', 'markdown'], 0);
    expect(markdown.stdout).toContain(`- postgres: discovered 3 of 3,000 tags from ${proxy.host}/${repo}`);
  });

  it('imports them; a new upstream version is then an addition and the oldest kept a removal', async () => {
    await work.expectRun(['apply', '--auto-approve'], 0);
    expect(stateTags(work)).toEqual(['16.1.0', '17.0.0', '17.1.0']);
    await fillWithTags(upstream, repo, ['17.2.0']);
    const plan = await planJson(work, ['--out', 'plan.json']);
    expect(actions(plan)).toEqual(['create postgres:17.2.0', 'delete postgres:16.1.0']);
    expect(plan.discoveries![0]).toMatchObject({ added: ['17.2.0'], removed: ['16.1.0'] });
  });

  it('applies a saved plan with exactly the tags it discovered, without listing again', async () => {
    await fillWithTags(upstream, repo, ['17.3.0']);
    proxy.reset();
    const result = await work.expectRun(['apply', 'plan.json', '--json'], 0);
    expect(JSON.parse(result.stdout)).toMatchObject({ imported: ['postgres:17.2.0'], removed: ['postgres:16.1.0'] });
    expect(stateTags(work)).toEqual(['17.0.0', '17.1.0', '17.2.0']);
    expect(proxy.count({ path: TAG_LISTS })).toBe(0);
  });
});

describe('a discovery with prune: false', () => {
  const repo = 'e2e/postgres-kept';
  const work = new Workspace();

  beforeAll(async () => {
    await fillWithTags(upstream, repo, VERSIONS);
    work.writeCatalog(catalog(repo, { prune: false }));
    await work.expectRun(['apply', '--auto-approve'], 0);
  }, 60_000);

  it('keeps the tags that leave the window', async () => {
    await fillWithTags(upstream, repo, ['17.2.0']);
    const plan = await planJson(work);
    expect(actions(plan)).toEqual(['create postgres:17.2.0']);
    expect(plan.discoveries![0]).toMatchObject({ removed: [], retained: ['16.1.0'] });
    await work.expectRun(['apply', '--auto-approve'], 0);
    expect(stateTags(work)).toEqual(['16.1.0', '17.0.0', '17.1.0', '17.2.0']);
  });
});

describe('a listing the registry keeps refusing with 429', () => {
  const repo = 'e2e/postgres-limited';
  const work = new Workspace();

  beforeAll(async () => {
    await fillWithTags(upstream, repo, VERSIONS);
    work.writeCatalog(catalog(repo));
    await work.expectRun(['apply', '--auto-approve'], 0);
    await fillWithTags(upstream, repo, ['17.2.0']);
  }, 60_000);

  it('fails the plan and leaves the discovered tags as they are', async () => {
    proxy.inject(tooManyRequests(0), { path: TAG_LISTS, times: 1000 });
    const result = await work.expectRun(['plan', '--json'], 1);
    const plan = parsePlanJson(result.stdout);
    expect(actions(plan)).toEqual([]);
    expect(plan.discoveries![0]!.error!.reason).toBe('TooManyRequests');
    const text = await work.expectRun(['plan'], 1);
    expect(text.stdout).toContain(`postgres: could not list ${proxy.host}/${repo} (TooManyRequests)`);
    const before = work.stateBytes();
    await work.expectRun(['apply', '--auto-approve'], 1);
    expect(stateTags(work)).toEqual(['16.1.0', '17.0.0', '17.1.0']);
    expect(work.stateBytes()).toEqual(before);
    proxy.reset();
  });
});

describe('watch and a stream whose discovered tags are scheduled', () => {
  const repo = 'e2e/postgres-watched';
  const work = new Workspace();

  beforeAll(async () => {
    await fillWithTags(upstream, repo, VERSIONS);
    work.writeCatalog(catalog(repo, { scheduled: true }));
  }, 60_000);

  it('lists the repository when it starts and follows the kept tags as scheduled tags', async () => {
    const result = await work.run(['watch', '--once']);
    expect(result.code, result.stderr).toBe(0);
    expect(stateTags(work)).toEqual(['16.1.0', '17.0.0', '17.1.0']);
    expect(result.stderr).toMatch(/ postgres:17\.1\.0 imported sha256:[0-9a-f]{12} \(new\)\n/);
  });
});

describe('watch running beside a stream whose discovered tags are scheduled', () => {
  const repo = 'e2e/postgres-followed';
  const work = new Workspace();

  beforeAll(async () => {
    await fillWithTags(upstream, repo, VERSIONS);
    work.writeCatalog(catalog(repo, { scheduled: true }));
  }, 60_000);

  it('imports a new upstream version pushed while it runs and forgets the tag that left the window', async () => {
    const watch = new WatchProcess(['watch', '--json', '--interval', '2s'], work.dir);
    await watch.event((e) => e.type === 'discovered', 'the first listing');
    await eventually(
      () => (work.stateBytes() && stateTags(work).length === 3 ? true : undefined),
      'the kept tags to be imported',
    );

    await fillWithTags(upstream, repo, ['17.2.0']);
    const listed = await watch.event(
      (e) => e.type === 'discovered' && (e.removed as string[]).length > 0,
      'a listing that sees 17.2.0',
    );
    expect(listed).toMatchObject({
      stream: 'postgres',
      tags: ['17.2.0', '17.1.0', '17.0.0'],
      added: ['17.2.0'],
      removed: ['16.1.0'],
    });
    await watch.event((e) => e.type === 'imported' && e.address === 'postgres:17.2.0', 'the new version imported');
    expect(stateTags(work)).toEqual(['17.0.0', '17.1.0', '17.2.0']);
    expect(await watch.stop()).toBe(0);
    await work.expectRun(['plan', '--detailed-exitcode'], 0);
  });
});

describe('the scheduled CI job (plan --scheduled-only, then watch --once) on a stream whose discovered tags are scheduled', () => {
  const repo = 'e2e/postgres-scheduled-ci';
  const work = new Workspace();

  beforeAll(async () => {
    await fillWithTags(upstream, repo, VERSIONS);
    work.writeCatalog(catalog(repo, { scheduled: true }));
    await work.expectRun(['apply', '--auto-approve'], 0);
  }, 60_000);

  it('plans the new version and the removal, and watch --once carries both out', async () => {
    await fillWithTags(upstream, repo, ['17.2.0']);
    const planned = await work.expectRun(['plan', '--scheduled-only', '--json', '--detailed-exitcode'], 2);
    expect(actions(parsePlanJson(planned.stdout))).toEqual(['create postgres:17.2.0', 'delete postgres:16.1.0']);

    const once = await work.run(['watch', '--once']);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stderr).toContain(
      ` postgres listed ${proxy.host}/${repo}: kept 17.2.0, 17.1.0, 17.0.0 (added 17.2.0; removed 16.1.0)\n`,
    );
    expect(stateTags(work)).toEqual(['17.0.0', '17.1.0', '17.2.0']);
    await work.expectRun(['plan', '--scheduled-only', '--detailed-exitcode'], 0);
  });

  it('keeps the discovered tags, writes nothing and exits 1 when the listing is refused with 429', async () => {
    await fillWithTags(upstream, repo, ['17.3.0']);
    proxy.inject(tooManyRequests(0), { path: TAG_LISTS, times: 1000 });
    const before = work.stateBytes();
    const once = await work.run(['watch', '--once', '--json']);
    proxy.reset();
    expect(once.code, once.stderr).toBe(1);
    const events = once.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.find((e) => e.type === 'discovery-failed')).toMatchObject({
      stream: 'postgres',
      reason: 'TooManyRequests',
    });
    expect(work.stateBytes()).toEqual(before);
    expect(stateTags(work)).toEqual(['17.0.0', '17.1.0', '17.2.0']);
  });
});
