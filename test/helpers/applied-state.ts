import type { Plan } from '../../src/core/plan-model.js';
import type { State } from '../../src/core/state-model.js';

/**
 * The state after applying `planned` on top of `prior`, as apply records it (by hand: no store needed): every create
 * and update recorded with its planned image, deletions forgotten, the serial one higher.
 */
export function appliedState(planned: Plan, prior: State | null = null): State {
  const state: State = structuredClone(prior) ?? { version: 1, lineage: 'lineage-1', serial: 0, streams: {} };
  state.serial++;
  for (const c of planned.changes) {
    state.streams[c.stream] ??= { tags: {} };
    if (c.action === 'delete') delete state.streams[c.stream]!.tags[c.tag];
    else if (c.action !== 'noop')
      state.streams[c.stream]!.tags[c.tag] = {
        spec: c.spec!,
        items: [{ ...c.after!, created: '2026-01-01T00:00:00Z', generation: 1 }],
        conditions: [],
      };
  }
  return state;
}
