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

/**
 * How many certificates the NODE_EXTRA_CA_CERTS of this environment names (undefined when unset): Node parses them
 * at every start, which every process of the bench pays (some 60 ms for a whole system bundle on 2 cores).
 */
function extraCaCertificates() {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  } catch {
    return 0;
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
    nodeExtraCaCerts: extraCaCertificates(),
    loadAverage: { start: Number(loadAtStart.toFixed(2)), end: Number(loadavg()[0].toFixed(2)) },
  };
}
