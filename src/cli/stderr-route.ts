/** Where text is written: a stream, or what stands in front of one. */
export interface TextSink {
  write(text: string): unknown;
}

/** A live display that stands in front of stderr. */
export interface StderrTaker extends TextSink {
  /** Ends the display at once: writes what it holds and erases what it drew. */
  endNow(): void;
}

/** A stream with what it says of itself when it is a terminal. */
export interface TerminalStream extends TextSink {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/**
 * stderr as the commands write to it. Text goes straight to the stream, except while a live display has taken stderr
 * over: the display is then given the text, to show it above the block it redraws, where no redraw erases it.
 */
export class StderrRoute implements TerminalStream {
  private taker: StderrTaker | undefined;

  constructor(readonly stream: TerminalStream) {}

  get isTTY(): boolean | undefined {
    return this.stream.isTTY;
  }

  get columns(): number | undefined {
    return this.stream.columns;
  }

  get rows(): number | undefined {
    return this.stream.rows;
  }

  write(text: string): boolean {
    (this.taker ?? this.stream).write(text);
    return true;
  }

  /** Gives what is written to `taker` instead of the stream, until the returned function hands stderr back. */
  takeOver(taker: StderrTaker): () => void {
    this.taker = taker;
    return () => {
      if (this.taker === taker) this.taker = undefined;
    };
  }

  /**
   * Ends a live display that has taken stderr over, at once, and writes to the stream again: for a process about to
   * exit.
   */
  endTakeOver(): void {
    const taker = this.taker;
    this.taker = undefined;
    taker?.endNow();
  }
}
