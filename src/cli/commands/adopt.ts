import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { readRegularFile } from '../../files/regular-file.js';
import { MAX_ADOPT_BYTES } from '../../openshift/adopt-documents.js';
import { adoptOperation } from '../../operations/adopt.js';
import { allowedPathsOf, type CatalogPathOptions, catalogFileOf } from '../catalog-options.js';
import { repositoryOptionsOf } from '../context.js';
import { EXIT_OK } from '../exit.js';
import { interruptible } from '../interrupt.js';
import { type Io, writeLine } from '../output.js';

export interface AdoptOptions extends CatalogPathOptions {
  replace?: boolean;
  authfile?: string;
  lockTimeout: number;
}

/** `adopt FILE|-`: `oc get is -o yaml|json` output into the catalog and the state. */
/** Stopped by SIGINT or SIGTERM as `interruptible` says: the state lock is not left behind. */
export function adoptCommand(input: string, options: AdoptOptions, io: Io): Promise<number> {
  return interruptible(io, 'run this adopt again', () => adoptLocked(input, options, io));
}

async function adoptLocked(input: string, options: AdoptOptions, io: Io): Promise<number> {
  const text = input === '-' ? await readStdin(io) : await readInput(resolve(io.cwd, input), input);
  const allowedPaths = allowedPathsOf(options, io);
  const file = catalogFileOf(options, io);
  const result = await adoptOperation(
    {
      ...file,
      ...(options.state && { statePathOverride: resolve(io.cwd, options.state) }),
      ...(allowedPaths && { allowedPaths }),
    },
    {
      ...repositoryOptionsOf(options, io),
      input: { text, name: input === '-' ? 'stdin' : input },
      replace: options.replace === true,
      lockTimeoutMs: options.lockTimeout,
    },
  );
  for (const note of result.notes) writeLine(io.stderr, `warning: ${note.stream}: ${note.field}: ${note.reason}`);
  const created = result.catalogCreated ? ' (created)' : '';
  writeLine(io.stdout, `Adopted ${count(result.streams.length, 'image stream')} into ${file.displayPath}${created}.`);
  writeLine(io.stdout, `Recorded the history of ${count(result.adoptedHistory.length, 'tag')} in the state.`);
  return EXIT_OK;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

async function readInput(path: string, shown: string): Promise<string> {
  try {
    return (await readRegularFile(path, { maxBytes: MAX_ADOPT_BYTES + 1 })).toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'ENOTREG' ? (error as Error).message : (code ?? 'error');
    throw new UsageError(`cannot read ${shown}: ${why}`);
  }
}

async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_ADOPT_BYTES)
      throw new UsageError(`stdin is larger than ${MAX_ADOPT_BYTES / 1024 / 1024} MiB; refused`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
