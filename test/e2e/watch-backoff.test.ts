import { describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { serviceUnavailable, tooManyRequests } from '../helpers/fault-proxy.js';
import { eventually, type WatchProcess, WatchWorkspace } from '../helpers/watch-workspace.js';

const { registry, proxy } = useRegistry({ faultProxy: true });

/** Every failing check asks for the manifest once and retries it 4 times. */
const REQUESTS_PER_FAILED_CHECK = 5;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MANIFESTS = /\/manifests\//;

/** Epoch milliseconds of each tag's next check, as the metrics endpoint says. */
async function nextChecks(metricsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const samples = text.matchAll(
    /^imagestreams_watch_next_check_timestamp_seconds\{stream="app",tag="(\w+)"\} (\S+)$/gm,
  );
  return Object.fromEntries([...samples].map(([, tag, value]) => [tag, Math.round(Number(value) * 1000)]));
}

async function metricsUrl(watch: WatchProcess): Promise<string> {
  return String((await watch.event((e) => e.type === 'metrics-listening', 'the metrics address')).url);
}

describe('watch against a failing registry', () => {
  it('backs off exponentially, records the failure as a condition, and recovers', async () => {
    const ws = new WatchWorkspace(registry);
    await ws.push('followed', 'v1');
    ws.writeCatalog({ followed: ['followed', true] }, proxy.host);
    expect((await ws.run(['apply', '--auto-approve'])).code).toBe(0);
    const watch = ws.watch(['--interval', '2s']);
    await watch.event((e) => e.type === 'unchanged', 'a first check');

    proxy.inject(serviceUnavailable(), { path: /\/manifests\//, times: 3 * REQUESTS_PER_FAILED_CHECK });
    const moved = await ws.push('followed', 'v2');
    const failures = await eventually(
      () => {
        const failed = watch.eventsOf('failed', 'app:followed');
        return failed.length >= 3 ? failed : undefined;
      },
      'three failed checks',
      90_000,
    );
    expect(failures.map((f) => [f.reason, f.failures])).toEqual([
      ['InternalError', 1],
      ['InternalError', 2],
      ['InternalError', 3],
    ]);
    const waits = failures.map((f) => Date.parse(String(f.nextCheck)) - Date.parse(f.time));
    expect(waits[1]).toBeGreaterThan(waits[0]!);
    expect(waits[2]).toBeGreaterThan(waits[1]!);
    expect(ws.tag('followed')?.conditions).toEqual([
      expect.objectContaining({ type: 'ImportSuccess', status: 'False', reason: 'InternalError' }),
    ]);

    const recovered = await watch.event((e) => e.type === 'imported', 'the import once the registry answers', 60_000);
    expect(recovered).toMatchObject({ address: 'app:followed', recovered: true, failures: 0 });
    expect(ws.tag('followed')?.conditions).toEqual([]);
    expect(ws.sourceDigest('followed')).toBe(moved);
    expect(await watch.stop()).toBe(0);
  });

  it('waits as long as a 429 Retry-After asks, for every tag of that registry, and says so', async () => {
    proxy.reset();
    const ws = new WatchWorkspace(registry);
    await ws.push('followed', 'v1');
    await ws.push('other', 'v1');
    ws.writeCatalog({ followed: ['followed', true], other: ['other', true] }, proxy.host);
    expect((await ws.run(['apply', '--auto-approve'])).code).toBe(0);
    const watch = ws.watch(['--interval', '2s', '--metrics-addr', '127.0.0.1:0']);
    const metrics = await metricsUrl(watch);
    await watch.event((e) => e.type === 'unchanged', 'a first check');

    proxy.inject(tooManyRequests(3600), { method: 'HEAD', path: MANIFESTS, times: 1000 });
    const failed = await watch.event((e) => e.type === 'failed', 'a rate-limited check');
    expect(failed).toMatchObject({ reason: 'TooManyRequests', failures: 1 });
    expect(failed.message).toMatch(/rate limiting requests \(HTTP 429\) and asked to retry after 1h$/);
    // The exact arithmetic (next check = failure + Retry-After) is a unit test's, on a fake clock: here the event's
    // time is read after its next check was computed, so only "about an hour, not the one-minute minimum" is stable.
    const heldUntil = Date.parse(String(failed.nextCheck));
    expect(heldUntil - Date.parse(failed.time)).toBeGreaterThan(HOUR - MINUTE);
    expect(ws.tag(String(failed.address).slice('app:'.length))?.conditions).toEqual([
      expect.objectContaining({ reason: 'TooManyRequests', message: failed.message }),
    ]);

    const held = await eventually(async () => {
      const next = await nextChecks(metrics);
      return next.followed! >= heldUntil && next.other! >= heldUntil ? next : undefined;
    }, 'both tags of the registry to be held back for the hour');
    expect(Object.keys(held).sort()).toEqual(['followed', 'other']);
    const headsSoFar = proxy.count({ method: 'HEAD', path: MANIFESTS });
    await new Promise((resolve) => setTimeout(resolve, 3 * 2_000));
    expect(proxy.count({ method: 'HEAD', path: MANIFESTS })).toBe(headsSoFar);
    expect(await watch.stop()).toBe(0);
  });
});
