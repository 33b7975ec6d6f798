import { describe, expect, it } from 'vitest';
import { OCI_MANIFEST } from '../../src/core/media-types.js';
import type { State, TagItem } from '../../src/core/state-model.js';
import { stateAfter, trimHistory } from '../../src/engine/prune/history.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const MINUTE = 60_000;
const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

/** An item imported `minutesAgo` minutes before NOW. */
function item(n: number, minutesAgo: number): TagItem {
  return {
    created: new Date(NOW.getTime() - minutesAgo * MINUTE).toISOString(),
    generation: n,
    digest: digest(n),
    mediaType: OCI_MANIFEST,
    dockerImageReference: `quay.io/org/app@${digest(n)}`,
    sourceDigest: digest(n),
    manifests: [],
  };
}

function stateWith(items: TagItem[]): State {
  const spec = {
    from: 'quay.io/org/app:1',
    importMode: 'Legacy' as const,
    referencePolicy: 'Source' as const,
    scheduled: true,
    insecure: false,
    preferPlatform: null,
  };
  return { version: 1, lineage: 'l', serial: 4, streams: { app: { tags: { t: { spec, items, conditions: [] } } } } };
}

/** Five items, newest first, imported 10, 50, 70, 120 and 600 minutes ago. */
const HISTORY = [item(5, 10), item(4, 50), item(3, 70), item(2, 120), item(1, 600)];

describe('trimHistory', () => {
  it.each([
    ['keeps 3 revisions and what is younger than 60m', 3, 60, [5, 4, 3], [2, 1]],
    ['keeps everything younger than the age limit, whatever the count', 1, 100, [5, 4, 3], [2, 1]],
    ['keeps the revisions asked for, however old', 4, 0, [5, 4, 3, 2], [1]],
    ['never removes the current item, even with 0 revisions and no age limit', 0, 0, [5], [4, 3, 2, 1]],
    ['removes nothing when the history is within the limits', 5, 0, [5, 4, 3, 2, 1], []],
  ])('%s', (_rule, keepTagRevisions, minutes, kept, removed) => {
    const trimmed = trimHistory(stateWith(HISTORY), {
      keepTagRevisions,
      keepYoungerThanMs: minutes * MINUTE,
      now: NOW,
    });
    expect(trimmed.flatMap((t) => t.kept.map((i) => i.generation))).toEqual(removed.length > 0 ? kept : []);
    expect(trimmed.flatMap((t) => t.removed.map((i) => i.generation))).toEqual(removed);
  });

  it('keeps the current item even when it is the oldest of all', () => {
    const old = [item(3, 600), item(2, 10), item(1, 5)];
    const [trimmed] = trimHistory(stateWith(old), { keepTagRevisions: 0, keepYoungerThanMs: 0, now: NOW });
    expect(trimmed?.kept.map((i) => i.generation)).toEqual([3]);
  });

  it('names each trimmed tag by address', () => {
    const [trimmed] = trimHistory(stateWith(HISTORY), { keepTagRevisions: 1, keepYoungerThanMs: 0, now: NOW });
    expect(trimmed).toMatchObject({ address: 'app:t', stream: 'app', tag: 't' });
  });
});

describe('stateAfter', () => {
  it('is a copy of the state with the trimmed histories; the state itself is left as it was', () => {
    const state = stateWith(HISTORY);
    const trimmed = trimHistory(state, { keepTagRevisions: 2, keepYoungerThanMs: 0, now: NOW });
    const after = stateAfter(state, trimmed);
    expect(after.streams.app!.tags.t!.items.map((i) => i.generation)).toEqual([5, 4]);
    expect(state.streams.app!.tags.t!.items).toHaveLength(5);
  });
});
