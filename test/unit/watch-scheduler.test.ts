import { describe, expect, it } from 'vitest';
import type { CatalogTag } from '../../src/core/catalog.js';
import { parseImageSource } from '../../src/core/reference.js';
import type { CheckOutcome, TagOutcome } from '../../src/engine/watch/events.js';
import { ImportRateLimit } from '../../src/engine/watch/rate-limit.js';
import { type SchedulerOptions, type Settlement, WatchScheduler } from '../../src/engine/watch/scheduler.js';
import { ManualClock, settle } from '../helpers/manual-clock.js';

const INTERVAL = 60_000;
const UNCHANGED: TagOutcome = { kind: 'unchanged', digest: null };
const UNREACHABLE: TagOutcome = { kind: 'failed', reason: 'Unreachable', message: 'connection refused' };

function tag(address: string, from = `registry.example/app:${address.split(':')[1]}`): CatalogTag {
  const [stream = '', name = ''] = address.split(':');
  return {
    address,
    stream,
    tag: name,
    spec: {
      from,
      importMode: 'Legacy',
      referencePolicy: 'Source',
      scheduled: true,
      insecure: false,
      preferPlatform: null,
    },
    source: parseImageSource(from),
    defaultPlatform: 'linux/amd64',
    scheduleIntervalMs: INTERVAL,
    annotations: {},
    location: { file: 'imagestreams.yaml', line: 1, column: 1 },
  };
}

const watched = (...addresses: string[]) => addresses.map((a) => ({ tag: tag(a), intervalMs: INTERVAL }));

interface Started {
  address: string;
  at: number;
  finish(outcome: TagOutcome): void;
  abandoned: boolean;
}

interface HarnessOptions extends Partial<Omit<SchedulerOptions, 'rateLimit'>> {
  importsPerMinute?: number;
  /** Answers every check at once; without it, a test finishes checks by hand. */
  respond?: (address: string, attempt: number) => TagOutcome;
}

function harness(options: HarnessOptions = {}) {
  const clock = new ManualClock();
  const start = clock.now();
  const started: Started[] = [];
  const settled: { address: string; outcome: CheckOutcome; settlement: Settlement }[] = [];
  const abandoned: string[] = [];
  const scheduler = new WatchScheduler({
    clock,
    random: () => 0,
    concurrency: 4,
    once: false,
    stopGraceMs: 5_000,
    ...options,
    rateLimit: new ImportRateLimit(options.importsPerMinute ?? 0, clock),
    startJob(t) {
      let finish!: (outcome: TagOutcome) => void;
      const done = new Promise<TagOutcome>((resolve) => {
        finish = resolve;
      });
      const job: Started = { address: t.address, at: clock.now() - start, finish, abandoned: false };
      started.push(job);
      const attempt = started.filter((s) => s.address === t.address).length;
      if (options.respond) finish(options.respond(t.address, attempt));
      return {
        done,
        abandon: async () => {
          job.abandoned = true;
        },
      };
    },
    onSettled: (t, outcome, settlement) => settled.push({ address: t.address, outcome, settlement }),
    onAbandoned: (address) => abandoned.push(address),
  });
  return {
    clock,
    start,
    scheduler,
    started,
    settled,
    abandoned,
    /** Start times of `address`'s checks, in ms since the start. */
    startsOf: (address: string) => started.filter((s) => s.address === address).map((s) => s.at),
    elapsed: () => clock.now() - start,
  };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('the watch scheduler', () => {
  it('spreads the first checks of imported tags over the interval, by the random draw', async () => {
    const draws = [0.1, 0.5, 0.9];
    const h = harness({ random: () => draws.shift() ?? 0, respond: () => UNCHANGED });
    h.scheduler.setTags(watched('a:1', 'a:2', 'a:3'), () => false);
    void h.scheduler.run();
    await h.clock.advance(INTERVAL - 1);
    expect(h.started.map((s) => [s.address, s.at])).toEqual([
      ['a:1', 0.1 * INTERVAL],
      ['a:2', 0.5 * INTERVAL],
      ['a:3', 0.9 * INTERVAL],
    ]);
  });

  it('checks a tag that must be imported (new, or its spec changed) at once', async () => {
    const h = harness({ random: () => 0.5, respond: () => UNCHANGED });
    h.scheduler.setTags(watched('a:new', 'a:old'), (t) => t.address === 'a:new');
    void h.scheduler.run();
    await h.clock.advance(0);
    expect(h.started.map((s) => s.address)).toEqual(['a:new']);
  });

  it.each([
    [0, INTERVAL],
    [0.999, INTERVAL - Math.round(0.0999 * INTERVAL)],
  ])('after a success (random %s), checks again within one interval: after %i ms', async (draw, gap) => {
    const h = harness({ random: () => draw, respond: () => UNCHANGED });
    h.scheduler.setTags(watched('a:1'), () => true);
    void h.scheduler.run();
    await h.clock.advance(3 * INTERVAL);
    expect(gaps(h.startsOf('a:1'))[0]).toBe(gap);
    expect(h.settled[0]?.settlement.nextCheckAt).toBe(h.clock.now() - 3 * INTERVAL + gap);
  });

  it('backs off exponentially while a tag fails (1, 2, 4, 8, 8 intervals), and returns to the interval after a success', async () => {
    const h = harness({ respond: (_, attempt) => (attempt <= 6 ? UNREACHABLE : UNCHANGED) });
    h.scheduler.setTags(watched('a:1'), () => true);
    void h.scheduler.run();
    await h.clock.advance(40 * INTERVAL);
    expect(
      gaps(h.startsOf('a:1'))
        .slice(0, 7)
        .map((g) => g / INTERVAL),
    ).toEqual([1, 2, 4, 8, 8, 8, 1]);
    expect(h.settled.map((s) => s.settlement.failures).slice(0, 8)).toEqual([1, 2, 3, 4, 5, 6, 0, 0]);
    expect(h.settled[6]?.settlement.previousFailures).toBe(6);
  });

  it('waits at least a minute after the registry rate-limited a tag, however short its interval', async () => {
    const h = harness({
      respond: () => ({ kind: 'failed', reason: 'TooManyRequests', message: 'HTTP 429' }),
    });
    h.scheduler.setTags([{ tag: tag('a:1'), intervalMs: 2_000 }], () => true);
    void h.scheduler.run();
    await h.clock.advance(130_000);
    expect(gaps(h.startsOf('a:1'))).toEqual([60_000, 60_000]);
  });

  it('waits as long as the Retry-After the registry sent, and holds back the other tags of that registry', async () => {
    const HOUR = 3_600_000;
    const rateLimited: TagOutcome = {
      kind: 'failed',
      reason: 'TooManyRequests',
      message: 'the registry asked to retry after 1h',
      retryAfterMs: HOUR,
    };
    const h = harness({ random: () => 0.5, respond: (address) => (address === 'a:1' ? rateLimited : UNCHANGED) });
    const layout = { tag: tag('b:1', 'oci:/srv/layout:1'), intervalMs: INTERVAL };
    h.scheduler.setTags(
      [...watched('a:1'), { tag: tag('a:2'), intervalMs: INTERVAL }, layout],
      (t) => t.address === 'a:1',
    );
    void h.scheduler.run();
    await h.clock.advance(0);
    expect(h.settled[0]).toMatchObject({ address: 'a:1', settlement: { nextCheckAt: h.start + HOUR } });

    await h.clock.advance(HOUR - 1);
    expect(h.startsOf('a:1')).toEqual([0]);
    expect(h.startsOf('a:2')).toEqual([]);
    expect(h.startsOf('b:1').length).toBeGreaterThan(1);
    await h.clock.advance(1);
    expect(h.startsOf('a:1')).toEqual([0, HOUR]);
    expect(h.startsOf('a:2')).toEqual([HOUR]);
  });

  it('starts no more checks than the global rate limit allows, evenly spaced', async () => {
    const h = harness({ importsPerMinute: 60, concurrency: 10, respond: () => UNCHANGED });
    h.scheduler.setTags(watched('a:1', 'a:2', 'a:3', 'a:4'), () => true);
    void h.scheduler.run();
    await h.clock.advance(10_000);
    expect(h.started.map((s) => s.at)).toEqual([0, 1_000, 2_000, 3_000]);
  });

  it('runs at most `concurrency` checks at once', async () => {
    const h = harness({ concurrency: 2 });
    h.scheduler.setTags(watched('a:1', 'a:2', 'a:3'), () => true);
    void h.scheduler.run();
    await h.clock.advance(0);
    expect(h.started.map((s) => s.address)).toEqual(['a:1', 'a:2']);
    h.started[0]!.finish(UNCHANGED);
    await h.clock.advance(0);
    expect(h.started.map((s) => s.address)).toEqual(['a:1', 'a:2', 'a:3']);
  });

  it('counts a check that throws as an InternalError failure', async () => {
    const h = harness();
    h.scheduler.setTags(watched('a:1'), () => true);
    void h.scheduler.run();
    await h.clock.advance(0);
    h.started[0]!.finish(Promise.reject(new Error('boom')) as unknown as TagOutcome);
    await settle();
    expect(h.settled[0]?.outcome).toEqual({ kind: 'failed', reason: 'InternalError', message: 'boom' });
  });

  describe('when the tags change (catalog reload)', () => {
    it('schedules new tags, drops removed ones and keeps the schedule of unchanged ones', async () => {
      const h = harness({ random: () => 0.5, respond: () => UNCHANGED });
      h.scheduler.setTags(watched('a:kept', 'a:removed'), () => false);
      void h.scheduler.run();
      const before = h.scheduler.schedule().find((e) => e.address === 'a:kept')!.nextCheckAt;
      h.scheduler.setTags(watched('a:kept', 'a:added'), (t) => t.address === 'a:added');
      await h.clock.advance(0);
      expect(h.started.map((s) => s.address)).toEqual(['a:added']);
      expect(h.scheduler.schedule().map((e) => e.address)).toEqual(['a:kept', 'a:added']);
      expect(h.scheduler.schedule().find((e) => e.address === 'a:kept')!.nextCheckAt).toBe(before);
      await h.clock.advance(3 * INTERVAL);
      expect(h.startsOf('a:removed')).toEqual([]);
    });

    it('checks a tag whose spec changed at once and forgets its failures', async () => {
      const h = harness({ respond: (address) => (address === 'a:1' ? UNREACHABLE : UNCHANGED) });
      h.scheduler.setTags(watched('a:1'), () => true);
      void h.scheduler.run();
      await h.clock.advance(4 * INTERVAL);
      expect(h.scheduler.schedule()[0]!.failures).toBe(3);
      h.scheduler.setTags([{ tag: tag('a:1', 'registry.example/app:other'), intervalMs: INTERVAL }], () => true);
      expect(h.scheduler.schedule()[0]).toMatchObject({ failures: 0, nextCheckAt: h.clock.now() });
    });

    it('checks again right after a running check when the spec changed meanwhile', async () => {
      const h = harness();
      h.scheduler.setTags(watched('a:1'), () => true);
      void h.scheduler.run();
      await h.clock.advance(0);
      h.scheduler.setTags([{ tag: tag('a:1', 'registry.example/app:other'), intervalMs: INTERVAL }], () => true);
      h.started[0]!.finish(UNCHANGED);
      await h.clock.advance(0);
      expect(h.started.map((s) => s.at)).toEqual([0, 0]);
    });

    it('brings the next check within a shorter new interval', async () => {
      const h = harness({ random: () => 0.5, respond: () => UNCHANGED });
      h.scheduler.setTags(watched('a:1'), () => false);
      h.scheduler.setTags([{ tag: tag('a:1'), intervalMs: 2_000 }], () => false);
      expect(h.scheduler.schedule()[0]!.nextCheckAt - h.clock.now()).toBe(1_000);
    });
  });

  describe('with once', () => {
    it('checks every tag once, right away, then ends', async () => {
      const h = harness({ once: true, random: () => 0.9, respond: () => UNCHANGED });
      h.scheduler.setTags(watched('a:1', 'a:2'), () => true);
      const run = h.scheduler.run();
      await h.clock.advance(0);
      await expect(run).resolves.toEqual([]);
      expect(h.started.map((s) => [s.address, s.at])).toEqual([
        ['a:1', 0],
        ['a:2', 0],
      ]);
      expect(h.settled.map((s) => s.settlement.nextCheckAt)).toEqual([null, null]);
      expect(h.scheduler.schedule()).toEqual([]);
    });
  });

  describe('when stopped', () => {
    it('starts nothing new and lets a running check finish within the grace period', async () => {
      const h = harness();
      h.scheduler.setTags(watched('a:1', 'a:2'), () => true);
      const run = h.scheduler.run();
      await h.clock.advance(0);
      h.scheduler.stop();
      await h.clock.advance(4_000);
      h.started[0]!.finish(UNCHANGED);
      h.started[1]!.finish(UNCHANGED);
      await expect(run).resolves.toEqual([]);
      expect(h.settled.map((s) => s.address)).toEqual(['a:1', 'a:2']);
      await h.clock.advance(10 * INTERVAL);
      expect(h.started).toHaveLength(2);
    });

    it('abandons what is still running when the grace period ends', async () => {
      const h = harness({ concurrency: 1 });
      h.scheduler.setTags(watched('a:1', 'a:2'), () => true);
      const run = h.scheduler.run();
      await h.clock.advance(0);
      h.scheduler.stop();
      await h.clock.advance(4_999);
      expect(h.started[0]!.abandoned).toBe(false);
      await h.clock.advance(1);
      await expect(run).resolves.toEqual(['a:1']);
      expect(h.started.map((s) => [s.address, s.abandoned])).toEqual([['a:1', true]]);
      expect(h.abandoned).toEqual(['a:1']);
      h.started[0]!.finish(UNCHANGED);
      await settle();
      expect(h.settled).toEqual([]);
    });

    it('abandons at once on a second stop request', async () => {
      const h = harness();
      h.scheduler.setTags(watched('a:1'), () => true);
      const run = h.scheduler.run();
      await h.clock.advance(0);
      h.scheduler.stop();
      h.scheduler.abandonNow();
      await settle();
      await expect(run).resolves.toEqual(['a:1']);
    });
  });
});
