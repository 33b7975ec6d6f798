/** What a command needs of the process it runs in to stop on SIGINT or SIGTERM. */
export interface StopProcess {
  /** Calls `handler` on SIGINT and SIGTERM until the returned function is called. */
  onStopSignal(handler: (signal: NodeJS.Signals) => void): () => void;
  /** Ends the process with `code` if work abandoned at the stop still keeps it alive a little later. */
  exitSoon(code: number): void;
  /** Ends the process with `code` now. */
  exitNow(code: number): never;
  /** Ends the process as `signal` does when nothing handles it. */
  dieOf(signal: NodeJS.Signals): void;
}

export const nodeProcess: StopProcess = {
  onStopSignal(handler) {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    for (const signal of signals) process.on(signal, handler);
    return () => {
      for (const signal of signals) process.off(signal, handler);
    };
  },
  exitSoon(code) {
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  exitNow(code) {
    process.exit(code);
  },
  dieOf(signal) {
    process.kill(process.pid, signal);
  },
};
