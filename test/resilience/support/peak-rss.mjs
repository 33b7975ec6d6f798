// Loaded with `node --import` into a command under test: at exit, writes the process's peak resident set size in
// KiB to the file named by IMAGESTREAMS_PEAK_RSS_FILE. The kernel's VmHWM is used, not getrusage's ru_maxrss, which
// survives exec and so can report the memory of the process that spawned this one.
import { readFileSync, writeFileSync } from 'node:fs';

function peakKib() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

const target = process.env.IMAGESTREAMS_PEAK_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(peakKib())));
