import type { State, StreamState, TagState } from './state-model.js';

/**
 * Streams and tags are looked up as own keys only: a stream or tag named `constructor` or `__proto__` is an ordinary
 * name, never something every object inherits.
 */
export function recordedStream(state: State | null, stream: string): StreamState | undefined {
  return state && Object.hasOwn(state.streams, stream) ? state.streams[stream] : undefined;
}

export function recordedTag(state: State | null, stream: string, tag: string): TagState | undefined {
  const tags = recordedStream(state, stream)?.tags;
  return tags && Object.hasOwn(tags, tag) ? tags[tag] : undefined;
}

/** Records `value` as `stream:tag` in `state`, in place. */
export function setRecordedTag(state: State, stream: string, tag: string, value: TagState): void {
  const existing = recordedStream(state, stream);
  const tags = existing?.tags ?? {};
  defineOwn(tags, tag, value);
  if (!existing) defineOwn(state.streams, stream, { tags });
}

function defineOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
