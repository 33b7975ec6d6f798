import { resolve } from 'node:path';
import { inspectOperation } from '../../operations/inspect.js';
import { renderInspectText } from '../../render/inspect-text.js';
import { stderrWarning } from '../context.js';
import { EXIT_OK } from '../exit.js';
import { type Io, writeJson } from '../output.js';

export interface InspectOptions {
  json?: boolean;
  insecure?: boolean;
  caFile?: string;
  authfile?: string;
  abbrev?: boolean;
}

export async function inspectCommand(image: string, options: InspectOptions, io: Io): Promise<number> {
  const result = await inspectOperation({
    image,
    cwd: io.cwd,
    env: io.env,
    warn: stderrWarning(io),
    ...(options.insecure !== undefined && { insecure: options.insecure }),
    ...(options.authfile && { authFile: resolve(io.cwd, options.authfile) }),
    ...(options.caFile && { caFile: resolve(io.cwd, options.caFile) }),
  });
  if (options.json) writeJson(io.stdout, result);
  else io.stdout.write(renderInspectText(result, { abbrev: options.abbrev !== false }));
  return EXIT_OK;
}
