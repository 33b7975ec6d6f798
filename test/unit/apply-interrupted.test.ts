import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/core/errors.js';
import type { PlannedChange } from '../../src/core/plan-model.js';
import type { State } from '../../src/core/state-model.js';
import { type ApplyEvent, applyPlan } from '../../src/engine/apply.js';
import { Interruption } from '../../src/engine/interruption.js';
import { planCatalog } from '../../src/engine/plan.js';
import type { ImageRepository } from '../../src/registry/repository.js';
import type { JournalEntry, StateStore } from '../../src/state/index.js';
import { useLayoutCatalog } from '../helpers/layout-catalog.js';

const scene = useLayoutCatalog('imagestreams-apply-interrupted-');

/** A store that keeps what it is given, in memory. */
class RecordingStore {
  readonly state: State = { version: 1, lineage: 'l', serial: 0, streams: {} };
  readonly priorSerial = 0;
  readonly recorded: JournalEntry[] = [];
  committedEntries: number | undefined;

  async record(entry: JournalEntry): Promise<void> {
    this.recorded.push(entry);
  }

  async commit(): Promise<boolean> {
    this.committedEntries = this.recorded.length;
    return true;
  }
}

/** `repository`, whose manifests and blobs are read only once `gate` resolves; `onBlob` is told of each blob read. */
function heldUntil(repository: ImageRepository, gate: Promise<void>, onBlob: () => void): ImageRepository {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'getManifest' && property !== 'getBlob') return value;
      return async (...args: unknown[]) => {
        await gate;
        const read = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (property === 'getBlob') onBlob();
        return read;
      };
    },
  });
}

describe('apply interrupted', () => {
  it('starts nothing more, abandons what is in progress after the grace period, and writes nothing of it', async () => {
    const plan = await planCatalog(scene.catalog(), null, {
      targets: [],
      reimport: [],
      refresh: true,
      concurrency: 1,
      openTag: scene.repositories().openTag,
    });
    let releaseB = () => {};
    const gate = new Promise<void>((resolve) => {
      releaseB = resolve;
    });
    let configReadOfB = () => {};
    const bRead = new Promise<void>((resolve) => {
      configReadOfB = resolve;
    });
    const tags = new Map(scene.catalog().tags.map((t) => [t.address, t]));
    const open = (change: PlannedChange) => {
      const repository = scene.repositories().openTag(tags.get(change.address)!);
      return change.address === 'app:b' ? heldUntil(repository, gate, configReadOfB) : repository;
    };
    const interruption = new Interruption(0);
    const store = new RecordingStore();
    const events: ApplyEvent[] = [];
    const applying = applyPlan(plan, {
      store: store as unknown as StateStore,
      openRepository: open,
      concurrency: 2,
      interruption,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'done' && event.address === 'app:a') interruption.request();
      },
    }).catch((error: unknown) => error);

    const error = await applying;
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).done).toEqual(['app:a']);
    expect((error as InterruptedError).left).toEqual(['app:b', 'app:c']);
    expect(store.committedEntries).toBe(1);
    expect(events.filter((e) => e.type === 'start').map((e) => e.address)).toEqual(['app:a', 'app:b']);

    // The abandoned import of app:b now completes, unheeded: what it would record comes right after its config read.
    releaseB();
    await bRead;
    await new Promise(setImmediate);
    expect(store.recorded.map((e) => (e.op === 'setTag' ? e.tag : e.op))).toEqual(['a']);
    expect(events.some((e) => e.address === 'app:b' && e.type !== 'start')).toBe(false);
  });
});
