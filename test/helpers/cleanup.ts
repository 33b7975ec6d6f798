import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Processes and directories that must not outlive the test process, even when a test file crashes. */
const processes = new Set<ChildProcess>();
const directories = new Set<string>();
const removalHooks: ((dir: string) => void)[] = [];
let exitHookInstalled = false;

/** Exit codes of a process ended by these signals, as a shell reports them. */
const TERMINATING_SIGNALS = { SIGTERM: 143, SIGINT: 130, SIGHUP: 129 } as const;

/**
 * Cleans up on exit. Test runners stop their worker processes with SIGTERM, which skips 'exit' handlers, so the
 * terminating signals are turned into an ordinary exit with the code the signal would have given.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of processes) killNow(child);
    for (const dir of directories) removeNow(dir);
  });
  for (const [signal, code] of Object.entries(TERMINATING_SIGNALS)) process.once(signal, () => process.exit(code));
}

function killNow(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export function trackProcess(child: ChildProcess): void {
  installExitHook();
  processes.add(child);
  child.once('exit', () => processes.delete(child));
}

/** Stops a tracked process: SIGTERM, then SIGKILL when it has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    processes.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => killNow(child), graceMs);
  await exited;
  clearTimeout(timer);
  processes.delete(child);
}

/** A fresh directory under the system temp dir, removed at process exit unless removed earlier. */
export function makeTempDir(prefix = 'imagestreams-test-'): string {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  directories.add(dir);
  return dir;
}

/** Runs `hook` on every temporary directory just before it is removed (the resilience suite searches them). */
export function beforeTempDirRemoval(hook: (dir: string) => void): void {
  removalHooks.push(hook);
}

function removeNow(dir: string): void {
  for (const hook of removalHooks) hook(dir);
  rmSync(dir, { recursive: true, force: true });
}

export function removeTempDir(dir: string): void {
  removeNow(dir);
  directories.delete(dir);
}
