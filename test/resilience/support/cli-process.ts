import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackProcess } from '../../helpers/cleanup.js';
import { CLI_PATH, tempDir } from '../../helpers/cli.js';
import { sweepText } from './secrets.js';

const PEAK_RSS_PRELOAD = fileURLToPath(new URL('./peak-rss.mjs', import.meta.url));

/** How a command under test ended. */
export interface CliOutcome {
  /** Exit code; null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /**
   * Peak resident set size in MiB: as the process measured it at exit, else (when it was killed) the highest
   * value seen while it ran; null when neither is known.
   */
  peakRssMb: number | null;
  /** `exit`: it ended by itself; `kill`: SIGKILL asked for; `timeout` or `memory`: killed for going over a limit. */
  stoppedBy: 'exit' | 'kill' | 'timeout' | 'memory';
}

/** A running `imagestreams` process. */
export interface CliProcess {
  readonly pid: number;
  /** Resolves when stderr holds a line matching `pattern` `count` times; rejects if the process ends first. */
  waitForLines(pattern: RegExp, count?: number): Promise<void>;
  /** Sends `signal` (SIGINT, SIGTERM) without waiting for anything. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL now; resolves when the process is gone. */
  kill(reason?: CliOutcome['stoppedBy']): Promise<CliOutcome>;
  readonly outcome: Promise<CliOutcome>;
  /** Samples the process's peak memory so far (MiB). */
  pollPeak(): number | null;
}

let scratch: string | undefined;
let runs = 0;

function scratchDir(): string {
  scratch ??= tempDir('imagestreams-resilience-').path;
  return scratch;
}

/** Only what node needs: no proxies, credentials, colours or CI settings of the caller reach the command. */
function hermeticEnvironment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: scratchDir(), NO_COLOR: '1', TZ: 'UTC', ...extra };
}

/**
 * Starts `node dist/bin/imagestreams.js ARGS` (the package's bin) in `cwd` with its peak memory recorded; stdin is
 * closed (not a terminal).
 */
export function startCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliProcess {
  const rssFile = join(scratchDir(), `peak-rss-${process.pid}-${++runs}`);
  const child = spawn(process.execPath, ['--import', PEAK_RSS_PRELOAD, CLI_PATH, ...args], {
    cwd,
    env: hermeticEnvironment({ ...env, IMAGESTREAMS_PEAK_RSS_FILE: rssFile }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackProcess(child);
  child.stdin.end();
  return watch(child, rssFile, args);
}

function watch(child: ChildProcessWithoutNullStreams, rssFile: string, args: readonly string[]): CliProcess {
  const stdout: Buffer[] = [];
  let stderr = '';
  let stoppedBy: CliOutcome['stoppedBy'] = 'exit';
  let polledPeakMb: number | null = null;
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    for (const check of waiters) check();
  });
  const outcome = new Promise<CliOutcome>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      for (const check of waiters) check();
      const peakRssMb = peakOf(rssFile) ?? polledPeakMb;
      sweepText(`${Buffer.concat(stdout).toString('latin1')}\n${stderr}`, `output of imagestreams ${args.join(' ')}`);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr, peakRssMb, stoppedBy });
    });
  });
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const kill = (reason: CliOutcome['stoppedBy'] = 'kill') => {
    if (!ended() && stoppedBy === 'exit') stoppedBy = reason;
    child.kill('SIGKILL');
    return outcome;
  };
  return {
    pid: child.pid!,
    waitForLines(pattern, count = 1) {
      const flags = new Set([...pattern.flags, 'g', 'm']);
      const global = new RegExp(pattern.source, [...flags].join(''));
      return new Promise((resolve, reject) => {
        const check = () => {
          if ((stderr.match(global)?.length ?? 0) >= count) {
            waiters.delete(check);
            resolve();
          } else if (ended()) {
            waiters.delete(check);
            reject(new Error(`the process ended before printing ${count} × ${pattern}; stderr:\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    signal(signal) {
      child.kill(signal);
    },
    kill,
    outcome,
    pollPeak() {
      const peak = highWaterMarkMb(child.pid!);
      if (peak !== null) polledPeakMb = Math.max(polledPeakMb ?? 0, peak);
      return polledPeakMb;
    },
  };
}

/** The kernel's record of a process's peak resident set size (VmHWM), in MiB; null once it is gone. */
function highWaterMarkMb(pid: number): number | null {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) / 1024;
  } catch {
    return null;
  }
}

function peakOf(rssFile: string): number | null {
  if (!existsSync(rssFile)) return null;
  return Number(readFileSync(rssFile, 'utf8')) / 1024;
}

export interface RunLimits {
  env?: NodeJS.ProcessEnv;
  /** SIGKILL after this long (default 120 s). */
  timeoutMs?: number;
  /** SIGKILL when the peak resident set size goes over this (default 2 GiB, to protect the machine). */
  memoryLimitMb?: number;
}

const MEMORY_POLL_MS = 20;

/** Runs a command to its end, or until it goes over a time or memory limit. */
export async function runCliMeasured(
  args: readonly string[],
  cwd: string,
  limits: RunLimits = {},
): Promise<CliOutcome> {
  const running = startCli(args, cwd, limits.env);
  const memoryLimitMb = limits.memoryLimitMb ?? 2048;
  const timer = setTimeout(() => void running.kill('timeout'), limits.timeoutMs ?? 120_000);
  const poller = setInterval(() => {
    if ((running.pollPeak() ?? 0) > memoryLimitMb) void running.kill('memory');
  }, MEMORY_POLL_MS);
  try {
    return await running.outcome;
  } finally {
    clearTimeout(timer);
    clearInterval(poller);
  }
}
