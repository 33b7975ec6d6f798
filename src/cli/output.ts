import type { StderrRoute, TextSink } from './stderr-route.js';

/** The streams and terminal facts a command may use; everything else about the process stays in main. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: StderrRoute;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function writeLine(stream: TextSink, text = ''): void {
  stream.write(`${text}\n`);
}

export function writeJson(stream: TextSink, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Colour on a terminal unless NO_COLOR is set (any value) or --no-color was given. */
export function useColor(io: Io, noColorFlag = false): boolean {
  return !noColorFlag && Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined;
}
