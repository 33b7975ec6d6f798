import { execFile } from 'node:child_process';
import { CLI_PATH, callerEnv, tempDir } from './cli.js';

export interface TerminalRun {
  code: number;
  /** What the CLI wrote to stderr, as the terminal received it (its CR LF line ends made LF). */
  stderr: string;
}

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** Beside those `callerEnv` leaves out: what would turn the live display off, or colour on or off. */
const DISPLAY = new Set(['CI', 'TERM', 'NO_COLOR']);

let home: string | undefined;

/**
 * Runs the built CLI with its stderr on a pseudo-terminal of the given size (`script`; `stty` sets the size the
 * terminal reports, 0 columns included), its stdin a pipe and its stdout discarded.
 */
export function runInTerminal(args: readonly string[], cwd: string, size: TerminalSize): Promise<TerminalRun> {
  home ??= tempDir('imagestreams-home-').path;
  const env = Object.fromEntries(Object.entries(callerEnv()).filter(([key]) => !DISPLAY.has(key)));
  const command = [process.execPath, CLI_PATH, ...args].map(shellQuoted).join(' ');
  const inside = `stty cols ${size.columns} rows ${size.rows}; exec ${command} 2>&1 >/dev/null`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      'script',
      ['-qec', inside, '/dev/null'],
      { cwd, env: { ...env, HOME: home, TERM: 'xterm' }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (error && code === -1) reject(error);
        else resolve({ code, stderr: stdout.replaceAll('\r\n', '\n') });
      },
    );
    child.stdin?.end();
  });
}

function shellQuoted(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
