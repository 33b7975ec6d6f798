// Loaded with `node --import` ahead of the CLI: writes the process's peak resident set size (KiB) at exit.
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_MAX_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
