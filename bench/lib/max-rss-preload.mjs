// Loaded with `node --import` ahead of the CLI: writes the process's peak resident set size (KiB) at exit.
//
// The peak is VmHWM of /proc/self/status, the high-water mark of this program's own memory. getrusage's maxRSS is
// not: Linux carries it over fork and exec, so a child of a large bench process reports the bench's resident size
// at the fork (a 300 MB parent gives a 40 MB child a maxRSS of 300 MB). maxRSS is the fallback where there is no /proc.
import { readFileSync, writeFileSync } from 'node:fs';

function peakKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // no /proc: not Linux
  }
  return process.resourceUsage().maxRSS;
}

const target = process.env.BENCH_MAX_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(peakKb())));
