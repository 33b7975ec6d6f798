import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { acquireLock, lockPath } from '../../src/state/index.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { eventually, WatchWorkspace } from '../helpers/watch-workspace.js';

const { registry } = useRegistry();

/** A workspace whose catalog has `app:followed` (scheduled) and `app:pinned`, both imported by `apply`. */
async function importedWorkspace(host?: string): Promise<WatchWorkspace> {
  const ws = new WatchWorkspace(registry);
  await ws.push('followed', 'v1');
  await ws.push('pinned', 'v1');
  ws.writeCatalog({ followed: ['followed', true], pinned: ['pinned', false] }, host);
  const apply = await ws.run(['apply', '--auto-approve']);
  expect(apply.code, apply.stderr).toBe(0);
  return ws;
}

const INTERVAL_MS = 2_000;
/** Room for the check and import themselves and a busy machine; far less than the 30 intervals a test may wait. */
const SLACK_MS = 8_000;

describe('watch', () => {
  it('imports an upstream move of a scheduled tag within its interval, leaves pinned tags alone and serves metrics', async () => {
    const ws = await importedWorkspace();
    const pinnedBefore = ws.tag('pinned');
    const watch = ws.watch(['--interval', '2s', '--metrics-addr', '127.0.0.1:0']);
    const listening = await watch.event((e) => e.type === 'metrics-listening', 'the metrics address');
    await watch.event((e) => e.type === 'unchanged' && e.address === 'app:followed', 'a first check');

    const moved = await ws.push('followed', 'v2');
    const movedAt = Date.now();
    const pinnedMoved = await ws.push('pinned', 'v2');
    await eventually(() => (ws.sourceDigest('followed') === moved ? true : undefined), 'the move to be imported');
    const imported = await watch.event((e) => e.type === 'imported', 'the import to be logged');
    expect(imported).toMatchObject({ address: 'app:followed', action: 'update', reason: 'upstream_moved' });
    expect(Date.parse(imported.time) - movedAt).toBeLessThanOrEqual(INTERVAL_MS + SLACK_MS);
    for (const check of watch.eventsOf('unchanged', 'app:followed')) {
      const wait = Date.parse(String(check.nextCheck)) - Date.parse(check.time);
      expect(wait).toBeGreaterThanOrEqual(0.9 * INTERVAL_MS);
      expect(wait).toBeLessThanOrEqual(INTERVAL_MS);
    }

    expect(ws.tag('pinned')).toEqual(pinnedBefore);
    expect(pinnedBefore?.items[0]?.sourceDigest).not.toBe(pinnedMoved);
    expect(watch.events.filter((e) => e.address === 'app:pinned')).toEqual([]);
    const plan = await ws.run(['plan', '--json', '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ summary: { create: 0, update: 0, drift: 1 } });

    const metrics = await (await fetch(`${listening.url}/metrics`)).text();
    expect(metrics).toContain('\nimagestreams_watch_imports_total 1\n');
    expect(metrics).toContain('\nimagestreams_watch_scheduled_tags 1\n');
    expect(metrics).toMatch(/^imagestreams_watch_last_success_timestamp_seconds\{stream="app",tag="followed"\} \d/m);
    expect(metrics).toMatch(/^imagestreams_watch_next_check_timestamp_seconds\{stream="app",tag="followed"\} \d/m);
    expect(metrics).toContain('\nimagestreams_watch_failures_total{reason="NotFound"} 0\n');
    const health = await fetch(`${listening.url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);

    expect(await watch.stop()).toBe(0);
    expect(existsSync(lockPath(ws.statePath))).toBe(false);
  });

  it('waits while an apply holds the state lock instead of failing, then imports', async () => {
    const ws = await importedWorkspace();
    const watch = ws.watch(['--interval', '2s']);
    await watch.event((e) => e.type === 'unchanged' && e.address === 'app:followed', 'a first check');
    const apply = await acquireLock(ws.statePath, { operation: 'apply' });
    const moved = await ws.push('followed', 'v2');

    const waiting = await watch.event((e) => e.type === 'lock-wait', 'watch to wait for the lock');
    expect(waiting).toMatchObject({ address: 'app:followed', holder: { id: apply.info.id, operation: 'apply' } });
    expect(ws.sourceDigest('followed')).not.toBe(moved);
    expect(watch.child.exitCode).toBeNull();

    await apply.release();
    await eventually(() => (ws.sourceDigest('followed') === moved ? true : undefined), 'the import after the apply');
    expect(await watch.stop()).toBe(0);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s in the middle of an import exits 0 within seconds, leaving a valid state and no lock',
    async (signal) => {
      const proxy = await startFaultProxy(registry.url);
      try {
        const ws = await importedWorkspace(proxy.host);
        const before = readFileSync(ws.statePath, 'utf8');
        const watch = ws.watch(['--interval', '2s']);
        await watch.event((e) => e.type === 'unchanged' && e.address === 'app:followed', 'a first check');
        proxy.inject({ kind: 'delay', ms: 30_000 }, { method: 'GET', path: /\/blobs\//, times: 100 });
        await ws.push('followed', 'v2');
        await eventually(() => (existsSync(lockPath(ws.statePath)) ? true : undefined), 'watch to lock the state');

        expect(await watch.stop(signal, 20_000)).toBe(0);
        expect(watch.eventsOf('stopping')).toEqual([expect.objectContaining({ reason: signal })]);
        expect(watch.eventsOf('abandoned', 'app:followed')).toHaveLength(1);
        expect(watch.eventsOf('stopped')).toHaveLength(1);
        expect(existsSync(lockPath(ws.statePath))).toBe(false);
        expect(readFileSync(ws.statePath, 'utf8')).toBe(before);
        const show = await ws.run(['show', '--json']);
        expect(show.code, show.stderr).toBe(0);
      } finally {
        await proxy.stop();
      }
    },
  );
});
