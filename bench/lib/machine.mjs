import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

function firstLine(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')[0]
      .trim();
  } catch {
    return undefined;
  }
}

function cpuModel() {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** The machine and tool versions the figures come from, with the 1-minute load average before and after. */
export function describeMachine(loadAtStart) {
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${firstLine('uname', ['-r']) ?? ''}`.trim(),
    node: process.version,
    skopeo: firstLine('skopeo', ['--version'])?.replace(/^skopeo version\s*/, '') ?? 'not installed',
    registry: firstLine('docker-registry', ['--version']) ?? 'unknown',
    loadAverage: { start: Number(loadAtStart.toFixed(2)), end: Number(loadavg()[0].toFixed(2)) },
  };
}
