import type { Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DeadlineProgress, deadlineInterceptor } from '../../src/registry/http/deadline.js';

const POLICY = { graceMs: 10_000, minBytesPerSecond: 1_000 };

/** One request through the interceptor, driven by hand: what the inner handler saw, and the controls. */
function startRequest(options: Partial<Dispatcher.DispatchOptions> = {}) {
  const seen: { error?: Error; ended?: boolean; missed?: DeadlineProgress } = {};
  const inner: Dispatcher.DispatchHandler = {
    onResponseError: (_controller, error) => {
      seen.error = error;
    },
    onResponseEnd: () => {
      seen.ended = true;
    },
  };
  let handler: Dispatcher.DispatchHandler | undefined;
  const interceptor = deadlineInterceptor(POLICY, {
    missed: (progress) => {
      seen.missed = progress;
      return new Error('missed its deadline');
    },
    bodyError: (error) => new Error(`while reading: ${error.message}`),
    now: () => Date.now(),
  });
  const dispatch = interceptor((_options, h) => {
    handler = h;
    return true;
  });
  dispatch({ path: '/', method: 'GET', ...options } as Dispatcher.DispatchOptions, inner);
  const controller = {
    abort: (reason: Error) => handler!.onResponseError!(controller as never, reason),
  } as unknown as Dispatcher.DispatchController;
  handler!.onRequestStart!(controller, {});
  return {
    seen,
    answer: (length?: number) =>
      handler!.onResponseStart!(controller, 200, length === undefined ? {} : { 'content-length': String(length) }),
    data: (bytes: number) => handler!.onResponseData!(controller, Buffer.alloc(bytes)),
    end: () => handler!.onResponseEnd!(controller, {}),
    fail: (error: Error) => handler!.onResponseError!(controller, error),
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the overall deadline of a request', () => {
  it('fails a request that got no answer within the grace period', () => {
    const request = startRequest();
    vi.advanceTimersByTime(9_999);
    expect(request.seen.error).toBeUndefined();
    vi.advanceTimersByTime(2);
    expect(request.seen.error?.message).toBe('missed its deadline');
    expect(request.seen.missed).toMatchObject({ answered: false, received: 0 });
  });

  it('fails a body trickled slower than the floor rate, each gap short, with a correct length', () => {
    const request = startRequest();
    request.answer(1_000_000);
    for (let second = 0; second < 30 && !request.seen.error; second++) {
      vi.advanceTimersByTime(1_000);
      request.data(1);
    }
    expect(request.seen.error?.message).toBe('missed its deadline');
    expect(request.seen.missed).toMatchObject({ answered: true, declared: 1_000_000 });
    expect(request.seen.missed!.received).toBeLessThan(20);
  });

  it('gives a large body the time its size takes at the floor rate', () => {
    const request = startRequest();
    request.answer(100_000);
    for (let second = 0; second < 100; second++) {
      vi.advanceTimersByTime(1_000);
      request.data(1_000);
    }
    request.end();
    vi.advanceTimersByTime(60_000);
    expect(request.seen).toEqual({ ended: true });
  });

  it('counts the bytes of a request body as time allowed', () => {
    const request = startRequest({ method: 'PUT', body: Buffer.alloc(50_000) });
    vi.advanceTimersByTime(59_000);
    expect(request.seen.error).toBeUndefined();
    vi.advanceTimersByTime(2_000);
    expect(request.seen.error?.message).toBe('missed its deadline');
  });

  it('counts the Content-Length announced for a streamed request body', () => {
    const request = startRequest({ method: 'PUT', headers: { 'content-length': '50000' } });
    vi.advanceTimersByTime(59_000);
    expect(request.seen.error).toBeUndefined();
  });

  it('turns a failure while the body streams into the error the reader sees; a failure before is left as is', () => {
    const reading = startRequest();
    reading.answer(10);
    reading.fail(new Error('socket closed'));
    expect(reading.seen.error?.message).toBe('while reading: socket closed');
    const connecting = startRequest();
    connecting.fail(new Error('connection refused'));
    expect(connecting.seen.error?.message).toBe('connection refused');
  });
});
