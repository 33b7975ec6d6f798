import type { ApplyEvent } from '../operations/progress.js';
import { fitWidth } from '../render/fit-lines.js';
import { runningLine } from '../render/progress-text.js';
import { ProgressBoard } from './progress-board.js';

/** A terminal's output: its size is read at each redraw, so that a resized window is followed. */
export interface Terminal {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
}

/** The time, and a repeating timer that returns its own stop. */
export interface Ticker {
  now(): number;
  every(ms: number, tick: () => void): () => void;
}

/** Below this many columns a live line says too little: only the outcome lines are written. */
export const MIN_LIVE_COLUMNS = 20;
export const REDRAW_INTERVAL_MS = 200;
const DEFAULT_ROWS = 24;

const UP = (lines: number) => `\u001b[${lines}A`;
const CLEAR_TO_END = '\u001b[J';

/**
 * Progress on a terminal: outcome lines are written once, as plain output that scrolls; below them, a block of one
 * line per running import (with its copy's bytes, rate and time left) is redrawn in place. Block lines are cut to the
 * terminal's width so that none wraps, which is what keeps redrawing in place exact; the block is at most as tall
 * as the terminal allows. Other text for the terminal is written through `write`, which puts each of its lines
 * above the block, among the outcome lines: written below, the next redraw would erase it. Once finished, the block
 * is gone and `write` writes straight to the terminal.
 */
export class LiveProgress {
  private readonly board: ProgressBoard;
  private pending: string[] = [];
  /** Text written through `write` after its last line end, held until its line is complete. */
  private partial = '';
  private drawnLines = 0;
  private finished = false;
  private readonly stop: () => void;

  constructor(
    private readonly terminal: Terminal,
    ticker: Ticker,
  ) {
    this.board = new ProgressBoard(() => ticker.now());
    this.stop = ticker.every(REDRAW_INTERVAL_MS, () => this.draw());
  }

  onEvent(event: ApplyEvent): void {
    const outcome = this.board.take(event);
    if (outcome) this.pending.push(outcome);
  }

  /** Shows `text` above the block, a line at a time; a line's start waits for its end, or for `finish`. */
  write(text: string): void {
    if (this.finished) {
      this.terminal.write(text);
      return;
    }
    const lines = `${this.partial}${text}`.split('\n');
    this.partial = lines.pop() ?? '';
    if (lines.length === 0) return;
    this.pending.push(...lines);
    this.draw();
  }

  /** Writes what is pending and erases the block, leaving the cursor where the text written next belongs. */
  async finish(): Promise<void> {
    this.endNow();
  }

  /** As `finish`, synchronously. */
  endNow(): void {
    this.stop();
    this.finished = true;
    this.draw();
    if (this.partial) this.terminal.write(this.partial);
    this.partial = '';
  }

  /** Replaces the block drawn last with the new outcome lines and the block as it is now. */
  draw(): void {
    const block = this.block();
    if (this.drawnLines === 0 && block.length === 0 && this.pending.length === 0) return;
    const erase = this.drawnLines > 0 ? `${UP(this.drawnLines)}${CLEAR_TO_END}` : '';
    const lines = [...this.pending, ...block];
    this.terminal.write(`${erase}${lines.map((line) => `${line}\n`).join('')}`);
    this.pending = [];
    this.drawnLines = block.length;
  }

  private block(): string[] {
    const columns = this.terminal.columns ?? 0;
    if (this.finished || columns < MIN_LIVE_COLUMNS) return [];
    const running = this.board.running().map(runningLine);
    const room = Math.max(1, (this.terminal.rows || DEFAULT_ROWS) - 2);
    const shown =
      running.length > room ? [...running.slice(0, room - 1), `… and ${running.length - room + 1} more`] : running;
    return shown.map((line) => fitWidth(line, columns));
  }
}
