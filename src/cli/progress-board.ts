import type { ChangeAction } from '../core/plan-model.js';
import type { ApplyEvent } from '../operations/progress.js';
import { type CopiedTotal, doneLine, failedLine, type RunningImport } from '../render/progress-text.js';
import { RateMeter } from './progress-rate.js';

/** A copy, timed from the start of its import. */
interface RunningCopy {
  startedAt: number;
  lastAt: number;
  bytes: number;
  plannedBytes: number | null;
  rate: RateMeter;
}

interface Running {
  address: string;
  action: ChangeAction;
  startedAt: number;
  copy?: RunningCopy;
}

/** The imports of an apply as their events tell them, timed by `now` (milliseconds). */
export class ProgressBoard {
  private readonly imports = new Map<string, Running>();

  constructor(private readonly now: () => number) {}

  /** Takes an event in; returns the line that reports an import's outcome, once it is over. */
  take(event: ApplyEvent): string | undefined {
    const at = this.now();
    switch (event.type) {
      case 'start':
        this.imports.set(event.address, { address: event.address, action: event.action, startedAt: at });
        return undefined;
      case 'copied':
        this.copied(event, at);
        return undefined;
      case 'done': {
        const copy = this.imports.get(event.address)?.copy;
        this.imports.delete(event.address);
        return doneLine(event.address, event.action, event.digest, copy && copiedTotal(copy));
      }
      case 'failed':
        this.imports.delete(event.address);
        return failedLine(event.address, event.reason, event.message);
    }
  }

  /** The imports under way, oldest first, with their copies' progress as of now. */
  running(): RunningImport[] {
    const now = this.now();
    return [...this.imports.values()].map((r) => ({
      address: r.address,
      action: r.action,
      ...(r.copy && {
        copy: { bytes: r.copy.bytes, plannedBytes: r.copy.plannedBytes, bytesPerSecond: r.copy.rate.perSecond(now) },
      }),
    }));
  }

  /** When the import at `address` started; undefined when it is not running. */
  startedAt(address: string): number | undefined {
    return this.imports.get(address)?.startedAt;
  }

  private copied(event: Extract<ApplyEvent, { type: 'copied' }>, at: number): void {
    const running = this.imports.get(event.address);
    if (!running) return;
    const { startedAt } = running;
    running.copy ??= {
      startedAt,
      lastAt: at,
      bytes: 0,
      plannedBytes: event.plannedBytes,
      rate: new RateMeter(startedAt),
    };
    running.copy.bytes = event.bytes;
    running.copy.lastAt = at;
    running.copy.rate.record(at, event.bytes);
  }
}

function copiedTotal(copy: RunningCopy): CopiedTotal {
  return { bytes: copy.bytes, elapsedMs: copy.lastAt - copy.startedAt };
}
