import type { ApplyEvent } from '../operations/progress.js';
import { runningLine } from '../render/progress-text.js';
import { ProgressBoard } from './progress-board.js';

/** How often a running copy is reported on its own line. */
export const PLAIN_COPY_INTERVAL_MS = 5_000;

export interface LineSink {
  write(text: string): unknown;
}

/**
 * Progress as whole lines, for logs and terminals too narrow (or of unknown width) for a live display: a line when an
 * import starts and when it ends, and every few seconds one for each running copy with its bytes, rate and time left.
 */
export class PlainProgress {
  private readonly board: ProgressBoard;
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly out: LineSink,
    private readonly now: () => number,
  ) {
    this.board = new ProgressBoard(now);
  }

  onEvent(event: ApplyEvent): void {
    const outcome = this.board.take(event);
    if (event.type === 'start') this.line(`${runningLine({ address: event.address, action: event.action })}…`);
    if (event.type === 'copied') this.copied(event.address);
    if (outcome) this.line(outcome);
  }

  async finish(): Promise<void> {}

  private copied(address: string): void {
    const at = this.now();
    const last = this.reported.get(address) ?? this.board.startedAt(address) ?? at;
    if (at - last < PLAIN_COPY_INTERVAL_MS) return;
    this.reported.set(address, at);
    const running = this.board.running().find((r) => r.address === address);
    if (running) this.line(runningLine(running));
  }

  private line(text: string): void {
    this.out.write(`${text}\n`);
  }
}
