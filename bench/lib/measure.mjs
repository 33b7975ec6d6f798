import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PRELOAD = pathToFileURL(fileURLToPath(new URL('./max-rss-preload.mjs', import.meta.url))).href;
const POLL_MS = 5;

/** VmHWM (peak resident set, KiB) of a running process, or 0 once it is gone. */
function highWaterMark(pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The middle value of `values` (the lower middle of an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * Runs a command to completion and measures it: wall seconds from spawn to exit and peak RSS (KiB), sampled from
 * /proc/PID/status every 5 ms (a lower bound for short processes), with `startedAt` (performance.now() at spawn).
 * Output is collected, never inherited.
 */
export function runMeasured(command, args, { env, cwd, input } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let peakKb = 0;
    const sample = () => {
      peakKb = Math.max(peakKb, highWaterMark(child.pid));
    };
    const poller = setInterval(sample, POLL_MS);
    child.once('spawn', sample);
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.once('error', (error) => {
      clearInterval(poller);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearInterval(poller);
      resolve({
        code,
        signal,
        startedAt: started,
        wallSeconds: (performance.now() - started) / 1000,
        peakRssKb: peakKb,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.end(input);
  });
}

/**
 * Runs the imagestreams CLI (by default the bundled bin, `dist/bin/imagestreams.js`) under node with a preload that
 * reports the exact peak RSS (its own VmHWM, see max-rss-preload.mjs) at exit.
 */
export async function runCli(cliPath, args, { env, cwd, scratchDir }) {
  const rssFile = join(scratchDir, `max-rss-${process.pid}-${Date.now()}`);
  const result = await runMeasured(process.execPath, ['--import', PRELOAD, cliPath, ...args], {
    env: { ...env, BENCH_MAX_RSS_FILE: rssFile },
    cwd,
  });
  if (existsSync(rssFile)) {
    result.peakRssKb = Math.max(result.peakRssKb, Number(readFileSync(rssFile, 'utf8')));
    rmSync(rssFile);
  }
  return result;
}
