import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/core/errors.js';
import type { Plan } from '../../src/core/plan-model.js';
import type { State } from '../../src/core/state-model.js';
import { type ApplyEvent, applyPlan } from '../../src/engine/apply.js';
import { planCatalog } from '../../src/engine/plan.js';
import type { JournalEntry, StateStore } from '../../src/state/index.js';
import { useLayoutCatalog } from '../helpers/layout-catalog.js';

const scene = useLayoutCatalog('imagestreams-apply-recording-');

/**
 * A store whose journal fails like a full disk on the entry `fails` picks: that append and, when the failure is
 * `final` (as StateStore makes it), every later one.
 */
class FailingStore {
  readonly state: State = { version: 1, lineage: 'l', serial: 0, streams: {} };
  readonly priorSerial = 0;
  readonly recorded: JournalEntry[] = [];
  committed = false;
  private failure: StateError | undefined;

  constructor(
    private readonly fails: (entry: JournalEntry, recorded: number) => boolean,
    private readonly final = true,
  ) {}

  async record(entry: JournalEntry): Promise<void> {
    await Promise.resolve();
    if (this.failure && this.final) throw this.failure;
    if (!this.failure && this.fails(entry, this.recorded.length)) {
      this.failure = new StateError('cannot record in state journal j: ENOSPC: no space left on device, write');
      throw this.failure;
    }
    this.recorded.push(entry);
  }

  async commit(): Promise<boolean> {
    this.committed = true;
    return true;
  }
}

/** Fails once `accepted` entries are recorded. */
const afterRecording = (accepted: number) => (_: JournalEntry, recorded: number) => recorded === accepted;

async function planned(): Promise<Plan> {
  return planCatalog(scene.catalog(), null, {
    targets: [],
    reimport: [],
    refresh: true,
    concurrency: 1,
    openTag: scene.repositories().openTag,
  });
}

async function applyWith(store: FailingStore, concurrency: number, events: ApplyEvent[]): Promise<unknown> {
  const plan = await planned();
  const tags = new Map(scene.catalog().tags.map((t) => [t.address, t]));
  return applyPlan(plan, {
    store: store as unknown as StateStore,
    openRepository: (change) => scene.repositories().openTag(tags.get(change.address)!),
    concurrency,
    onEvent: (event) => events.push(event),
  }).catch((error: unknown) => error);
}

const done = (events: ApplyEvent[]) => events.filter((e) => e.type === 'done').map((e) => e.address);

describe('apply when the state journal cannot be written', () => {
  it('stops, reports done only what was recorded, commits nothing, and says what was and was not recorded', async () => {
    const store = new FailingStore(afterRecording(1));
    const events: ApplyEvent[] = [];
    const error = await applyWith(store, 1, events);
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toBe(
      'cannot record in state journal j: ENOSPC: no space left on device, write\n' +
        'Apply stopped. Recorded before that, and kept in the state journal (the next apply writes it into the state file): app:a. ' +
        'Not recorded: app:b, app:c.',
    );
    expect(done(events)).toEqual(['app:a']);
    expect(events.map((e) => `${e.type} ${e.address}`)).toEqual(['start app:a', 'done app:a', 'start app:b']);
    expect(store.committed).toBe(false);
  });

  it('says so when nothing was recorded', async () => {
    const error = await applyWith(new FailingStore(afterRecording(0)), 1, []);
    expect((error as Error).message).toMatch(
      /\nApply stopped\. Nothing was recorded\. Not recorded: app:a, app:b, app:c\.$/,
    );
  });

  it('imports running at the time of the failure finish, and none of them is reported as done', async () => {
    const store = new FailingStore(afterRecording(0));
    const events: ApplyEvent[] = [];
    const error = await applyWith(store, 3, events);
    expect(error).toBeInstanceOf(StateError);
    expect(done(events)).toEqual([]);
    expect(events.filter((e) => e.type === 'start')).toHaveLength(3);
    expect(store.recorded).toEqual([]);
  });

  it('starts nothing more after a failure, and lists what a running import still recorded', async () => {
    let failed!: () => void;
    const aFailed = new Promise<void>((resolve) => {
      failed = resolve;
    });
    const store = new FailingStore((entry) => {
      if (entry.tag === 'a') failed();
      return entry.tag === 'a';
    }, false);
    const slowB = {
      ...store,
      record: async (entry: JournalEntry) => {
        if (entry.tag === 'b') await aFailed;
        return store.record(entry);
      },
    };
    const events: ApplyEvent[] = [];
    const error = await applyWith(slowB as unknown as FailingStore, 2, events);
    const recorded = store.recorded.map((e) => `${e.stream}:${e.tag}`);
    expect(recorded).toEqual(['app:b']);
    expect(done(events)).toEqual(recorded);
    expect(events.filter((e) => e.type === 'start').map((e) => e.address)).toEqual(['app:a', 'app:b']);
    expect((error as Error).message).toMatch(/: app:b\. Not recorded: app:a, app:c\.$/);
  });

  it('reports done exactly the changes recorded when the failure comes midway', async () => {
    const store = new FailingStore(afterRecording(2));
    const events: ApplyEvent[] = [];
    await applyWith(store, 3, events);
    expect(done(events).sort()).toEqual(store.recorded.map((e) => `${e.stream}:${e.tag}`).sort());
    expect(store.recorded).toHaveLength(2);
  });
});
