/** How far back the rate looks: long enough to smooth bursts, short enough to follow a change of pace. */
const WINDOW_MS = 5_000;
/** The shortest span a rate is told from. */
const MIN_SPAN_MS = 500;

/** The recent rate of a running total, from samples taken at the times given (milliseconds). */
export class RateMeter {
  private readonly samples: { at: number; total: number }[] = [];

  constructor(startedAt: number) {
    this.samples.push({ at: startedAt, total: 0 });
  }

  record(at: number, total: number): void {
    this.samples.push({ at, total });
    while (this.samples.length > 2 && this.samples[1]!.at <= at - WINDOW_MS) this.samples.shift();
  }

  /** Per second over the last few seconds up to `now` (a stall brings it down); null over too short a span. */
  perSecond(now: number): number | null {
    const first = this.samples[0]!;
    const last = this.samples.at(-1)!;
    const span = now - first.at;
    if (span < MIN_SPAN_MS) return null;
    return ((last.total - first.total) * 1000) / span;
  }
}
