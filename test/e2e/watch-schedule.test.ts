import { describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { eventually, type LoggedEvent, WatchWorkspace } from '../helpers/watch-workspace.js';

const { registry } = useRegistry();

const HOUR = 3_600_000;

/** Milliseconds between an event and the next check it announces. */
const waitAfter = (event: LoggedEvent) => Date.parse(String(event.nextCheck)) - Date.parse(event.time);
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('watch schedules', () => {
  it('checks each tag at its own scheduleInterval when no --interval overrides it', async () => {
    const ws = new WatchWorkspace(registry);
    await ws.push('fast', 'v1');
    await ws.push('slow', 'v1');
    ws.writeCatalog({ fast: ['fast', true, '2s'], slow: ['slow', true, '1h'] });
    const watch = ws.watch([]);

    const checks = await eventually(() => {
      const fast = watch.eventsOf('unchanged', 'app:fast');
      return fast.length >= 3 ? fast : undefined;
    }, 'three checks of the 2s tag after its first import');
    for (const check of checks) {
      expect(waitAfter(check)).toBeGreaterThanOrEqual(0.9 * 2_000);
      expect(waitAfter(check)).toBeLessThanOrEqual(2_000);
    }
    const slow = watch.events.filter((e) => e.address === 'app:slow');
    expect(slow.map((e) => [e.type, e.reason])).toEqual([['imported', 'new_tag']]);
    expect(waitAfter(slow[0]!)).toBeGreaterThanOrEqual(0.9 * HOUR);
    expect(waitAfter(slow[0]!)).toBeLessThanOrEqual(HOUR);
    expect(await watch.stop()).toBe(0);
  });

  it('spaces the checks of moved tags by the global --imports-per-minute limit', async () => {
    const ws = new WatchWorkspace(registry);
    const names = ['a', 'b', 'c'];
    for (const name of names) await ws.push(name, 'v1');
    ws.writeCatalog(Object.fromEntries(names.map((name) => [name, [name, true]])));
    expect((await ws.run(['apply', '--auto-approve'])).code).toBe(0);
    for (const name of names) await ws.push(name, 'v2');

    const watch = ws.watch(['--interval', '2s', '--imports-per-minute', '12']);
    const imports = await eventually(() => {
      const imported = watch.eventsOf('imported');
      return imported.length >= names.length ? imported : undefined;
    }, 'the three moves to be imported');
    expect(watch.eventsOf('started')).toEqual([expect.objectContaining({ importsPerMinute: 12 })]);
    expect(imports.map((e) => e.reason)).toEqual(['upstream_moved', 'upstream_moved', 'upstream_moved']);
    // One start every 5 s: without the limit, the three imports would land within a second of each other.
    for (const gap of gaps(imports.map((e) => Date.parse(e.time)))) expect(gap).toBeGreaterThanOrEqual(3_000);
    expect(await watch.stop()).toBe(0);
  });
});
