import type { ApplyEvent, ImportProgress } from '../operations/progress.js';
import type { Io } from './output.js';
import { LiveProgress, MIN_LIVE_COLUMNS, type Ticker } from './progress-live.js';
import { PlainProgress } from './progress-plain.js';
import type { StderrRoute } from './stderr-route.js';

/** Shows apply progress on stderr: redrawn in place on a terminal, whole lines otherwise, nothing with --json. */
export interface Progress {
  onEvent(event: ApplyEvent): void;
  finish(): Promise<void>;
}

const SILENT: Progress = { onEvent: () => {}, finish: async () => {} };

const REAL_TIME: Ticker = {
  now: () => performance.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

export function createProgress(io: Io, silent: boolean, ticker: Ticker = REAL_TIME): Progress {
  if (silent) return SILENT;
  if (isLiveTerminal(io.stderr, io.env)) return liveProgress(io.stderr, ticker);
  return new PlainProgress(io.stderr, () => ticker.now());
}

/** The live display, given whatever else is written to stderr while it is on the terminal. */
function liveProgress(stderr: StderrRoute, ticker: Ticker): Progress {
  const live = new LiveProgress(stderr.stream, ticker);
  const handBack = stderr.takeOver(live);
  return {
    onEvent: (event) => live.onEvent(event),
    finish: async () => {
      await live.finish();
      handBack();
    },
  };
}

/**
 * A terminal that can be redrawn in place: a TTY, not a CI log or a dumb terminal, that says how wide it is and is
 * wide enough. A terminal that reports no width (0, as `script` or a serial console may) gets whole lines.
 */
export function isLiveTerminal(terminal: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): boolean {
  if (terminal.isTTY !== true || env.CI !== undefined || env.TERM === 'dumb') return false;
  return (terminal.columns ?? 0) >= MIN_LIVE_COLUMNS;
}

/** An operation's import progress, shown as `createProgress` shows it. */
export function importProgress(io: Io, silent: boolean): ImportProgress {
  let progress: Progress | undefined;
  return {
    started: () => {
      progress = createProgress(io, silent);
    },
    onEvent: (event) => progress?.onEvent(event),
    finished: async () => progress?.finish(),
  };
}
