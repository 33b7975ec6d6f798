import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { WatchWorkspace } from '../helpers/watch-workspace.js';

const { registry } = useRegistry();

describe('watch --once', () => {
  it('imports every scheduled tag once and exits 0 when all succeeded; pinned tags are not imported', async () => {
    const ws = new WatchWorkspace(registry);
    const a = await ws.push('a', 'v1');
    const b = await ws.push('b', 'v1');
    ws.writeCatalog({ a: ['a', true], b: ['b', true], pinned: ['a', false] });

    const first = await ws.run(['watch', '--once']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(/ app:a imported sha256:[0-9a-f]{12} \(new\)\n/);
    expect([ws.sourceDigest('a'), ws.sourceDigest('b'), ws.tag('pinned')]).toEqual([a, b, undefined]);

    const again = await ws.run(['watch', '--once']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/ app:a unchanged /);
  });

  it('exits 1 when a scheduled tag fails, recording the failure in the state and importing the others', async () => {
    const ws = new WatchWorkspace(registry);
    const a = await ws.push('a', 'v1');
    ws.writeCatalog({ a: ['a', true], missing: ['never-pushed', true] });

    const result = await ws.run(['watch', '--once', '--json']);
    expect(result.code).toBe(1);
    const failed = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((e) => e.type === 'failed');
    expect(failed).toMatchObject({ address: 'app:missing', reason: 'NotFound', failures: 1, nextCheck: null });
    expect(ws.tag('missing')).toMatchObject({
      items: [],
      conditions: [{ type: 'ImportSuccess', status: 'False', reason: 'NotFound' }],
    });
    expect(ws.sourceDigest('a')).toBe(a);
  });
});

describe('watch --once and the tags that follow a scheduled tag', () => {
  it('moves them with it in the same pass, as OpenShift moves a tag tracking one a scheduled import updated', async () => {
    const ws = new WatchWorkspace(registry);
    await ws.push('followed', 'v1');
    writeFileSync(
      ws.catalogPath,
      `${ws.catalogText({ followed: ['followed', true] })}  prod:\n    tags:\n      latest: { from: app:followed }\n`,
    );
    expect((await ws.run(['apply', '--auto-approve'])).code).toBe(0);
    const before = ws.tag('followed')!.items[0]!.digest;

    const moved = await ws.push('followed', 'v2');
    const result = await ws.run(['watch', '--once']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      / app:followed imported sha256:[0-9a-f]{12} \(upstream moved, was sha256:[0-9a-f]{12}\), with prod:latest\n/,
    );
    expect(ws.sourceDigest('followed')).toBe(moved);
    const prod = ws.state()!.streams.prod!.tags.latest!;
    expect(prod.items.map((i) => i.digest)).toEqual([ws.tag('followed')!.items[0]!.digest, before]);
    expect((await ws.run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});

describe('plan --scheduled-only', () => {
  it('plans the scheduled tags only, for a CI check of upstream moves', async () => {
    const ws = new WatchWorkspace(registry);
    await ws.push('followed', 'v1');
    await ws.push('pinned', 'v1');
    ws.writeCatalog({ followed: ['followed', true], pinned: ['pinned', false] });
    expect((await ws.run(['apply', '--auto-approve'])).code).toBe(0);
    await ws.push('pinned', 'v2');
    ws.writeCatalog({ followed: ['followed', true], pinned: ['pinned', false], added: ['pinned', false] });

    const quiet = await ws.run(['plan', '--scheduled-only', '--json', '--detailed-exitcode']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(JSON.parse(quiet.stdout)).toMatchObject({
      changes: [{ address: 'app:followed', action: 'noop' }],
      drift: [],
      summary: { create: 0, update: 0, drift: 0 },
    });
    const full = await ws.run(['plan', '--json', '--detailed-exitcode']);
    expect(full.code).toBe(2);
    expect(JSON.parse(full.stdout)).toMatchObject({ summary: { create: 1, drift: 1 } });

    await ws.push('followed', 'v2');
    const moved = await ws.run(['plan', '--scheduled-only', '--json', '--detailed-exitcode']);
    expect(moved.code, moved.stderr).toBe(2);
    expect(JSON.parse(moved.stdout)).toMatchObject({
      changes: [{ address: 'app:followed', action: 'update', reason: 'upstream_moved' }],
      summary: { create: 0, update: 1, drift: 0 },
    });

    expect((await ws.run(['watch', '--once'])).code).toBe(0);
    expect((await ws.run(['plan', '--scheduled-only', '--detailed-exitcode'])).code).toBe(0);
  });
});

describe('watch options', () => {
  it.each([
    [['--interval', '0s'], 'error: invalid --interval "0s": it must be longer than 0'],
    [['--interval', '5 minutes'], 'error: invalid duration "5 minutes": expected a duration such as 15m, 1h30m or 90s'],
    [['--interval', '600h'], 'error: invalid --interval "600h": at most 576h (24 days)'],
    [['--metrics-addr', ':9090'], 'error: invalid --metrics-addr ":9090": expected HOST:PORT'],
    [['--imports-per-minute', '-1'], 'error: invalid --imports-per-minute "-1": expected a whole number (0: no limit)'],
  ])('refuses %j, exiting 1 before doing anything', async (args, message) => {
    const ws = new WatchWorkspace(registry);
    const result = await ws.run(['watch', ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr.slice(0, message.length)).toBe(message);
  });
});
