import { PassThrough } from 'node:stream';
import type { Io } from '../../src/cli/output.js';
import { StderrRoute, type TerminalStream } from '../../src/cli/stderr-route.js';

export interface MemoryIoParts {
  stdout?: PassThrough;
  stderr?: TerminalStream;
  env?: NodeJS.ProcessEnv;
}

/** A command's streams in memory, in `/`: the parts given, and empty PassThroughs for the others. */
export function memoryIo(parts: MemoryIoParts = {}): Io {
  return {
    stdout: parts.stdout ?? new PassThrough(),
    stderr: new StderrRoute(parts.stderr ?? new PassThrough()),
    stdin: new PassThrough(),
    env: parts.env ?? {},
    cwd: '/',
  };
}
