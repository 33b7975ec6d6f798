export interface DurationTextOptions {
  /** Round to whole seconds first: `up` for a wait or a limit (never shorter than it is), `nearest` otherwise. */
  round?: 'up' | 'nearest';
  /** The largest unit written: `s` writes five minutes as `300s`. */
  largestUnit?: 'h' | 's';
}

const ROUND = { up: Math.ceil, nearest: Math.round } as const;

/**
 * A duration as the catalog writes it: `15m`, `1h30m`, `90s`, `0s`; one that is not whole seconds (and not rounded)
 * in milliseconds: `1500ms`.
 */
export function durationText(milliseconds: number, options: DurationTextOptions = {}): string {
  const ms = options.round ? ROUND[options.round](milliseconds / 1000) * 1000 : milliseconds;
  if (ms % 1000 !== 0) return `${ms}ms`;
  const seconds = ms / 1000;
  if (options.largestUnit === 's') return `${seconds}s`;
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || seconds === 0 ? `${s}s` : ''}`;
}
