import type { Dispatcher } from 'undici';

/** How long one request may take: `graceMs`, plus the time its bytes (sent and received) take at `minBytesPerSecond`. */
export interface DeadlinePolicy {
  graceMs: number;
  minBytesPerSecond: number;
}

export const DEFAULT_DEADLINE: DeadlinePolicy = { graceMs: 60_000, minBytesPerSecond: 64 * 1024 };

/** How far a request got when it missed its deadline. */
export interface DeadlineProgress {
  elapsedMs: number;
  /** Whether the response headers had arrived. */
  answered: boolean;
  received: number;
  /** The response's Content-Length, when it declared one. */
  declared?: number;
}

export interface DeadlineHooks {
  /** The error a request that missed its deadline fails with. */
  missed(progress: DeadlineProgress): Error;
  /** What a failure once the response has started becomes: the reader of the body sees it. */
  bodyError(error: Error): Error;
  now?: () => number;
}

/**
 * An undici interceptor that gives every request an overall deadline, besides the idle timeouts: its answer must be
 * complete within the grace period plus the time its bytes take at the floor rate. The deadline moves as bytes
 * arrive, so a large body gets the time its size needs, and a registry trickling a byte every few seconds (each
 * gap within the idle timeout) fails once it falls behind the floor.
 */
export function deadlineInterceptor(
  policy: DeadlinePolicy,
  hooks: DeadlineHooks,
): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) =>
    dispatch(options, new DeadlineHandler(handler, requestBytes(options), policy, hooks));
}

const monotonicNow = (): number => performance.now();

class DeadlineHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private start = 0;
  private received = 0;
  private declared: number | undefined;
  private answered = false;
  private missed: Error | undefined;
  private readonly now: () => number;

  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly sent: number,
    private readonly policy: DeadlinePolicy,
    private readonly hooks: DeadlineHooks,
  ) {
    this.now = hooks.now ?? monotonicNow;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.controller = controller;
    this.start = this.now();
    this.arm();
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[2],
    socket: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[3],
  ): void {
    this.stop();
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2],
    statusMessage?: string,
  ): void {
    this.answered = true;
    const length = Number(headers['content-length']);
    if (Number.isSafeInteger(length) && length >= 0) this.declared = length;
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.received += chunk.length;
    this.inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(
    controller: Dispatcher.DispatchController,
    trailers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>[1],
  ): void {
    this.stop();
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.stop();
    const seen = error === this.missed || !this.answered ? error : this.hooks.bodyError(error);
    this.inner.onResponseError?.(controller, seen);
  }

  /** When the request must be done, given the bytes so far. */
  private deadline(): number {
    return this.start + this.policy.graceMs + ((this.sent + this.received) * 1000) / this.policy.minBytesPerSecond;
  }

  private arm(): void {
    const wait = Math.max(1, this.deadline() - this.now());
    this.timer = setTimeout(() => this.check(), Math.min(wait, 2 ** 31 - 1));
    this.timer.unref();
  }

  private check(): void {
    if (this.now() < this.deadline()) {
      this.arm();
      return;
    }
    this.timer = undefined;
    const progress: DeadlineProgress = {
      elapsedMs: this.now() - this.start,
      answered: this.answered,
      received: this.received,
      ...(this.declared !== undefined && { declared: this.declared }),
    };
    this.missed = this.hooks.missed(progress);
    this.controller?.abort(this.missed);
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The size of the request body: its length, or the Content-Length announced for a stream. */
function requestBytes(options: Dispatcher.DispatchOptions): number {
  const body = options.body;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  const headers = options.headers;
  const declared =
    headers && !Array.isArray(headers) && typeof headers === 'object' && !(Symbol.iterator in headers)
      ? (headers as Record<string, string | string[] | undefined>)['content-length']
      : undefined;
  const length = Number(Array.isArray(declared) ? declared[0] : declared);
  return Number.isSafeInteger(length) && length > 0 ? length : 0;
}
