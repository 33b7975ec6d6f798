import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { trackProcess } from '../../helpers/cleanup.js';
import { CLI_PATH } from '../../helpers/cli.js';
import type { CliOutcome } from './cli-process.js';
import { sweepText } from './secrets.js';

/** A saved plan file as JSON: the envelope, with the plan inside. */
export interface PlanFileDocument {
  kind: string;
  version: number;
  // biome-ignore lint/suspicious/noExplicitAny: attacks edit the plan freely, into shapes no type describes
  plan: Record<string, any>;
  signature?: string;
}

export function readPlanDocument(path: string): PlanFileDocument {
  return JSON.parse(readFileSync(path, 'utf8')) as PlanFileDocument;
}

/** Writes to `target` the plan file `source` with its plan edited by `edit` (the envelope, signature included, kept). */
export function tamperPlanFile(source: string, target: string, edit: (plan: PlanFileDocument['plan']) => void): void {
  const document = readPlanDocument(source);
  edit(document.plan);
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
}

/** The unit of `ulimit -f` in a POSIX shell. */
export const FILE_SIZE_BLOCK = 512;

/**
 * Runs `node dist/bin/imagestreams.js ARGS` (the package's bin) in `cwd` with the largest file it may write limited
 * to `blocks` × 512 bytes (RLIMIT_FSIZE, `ulimit -f`): a write past it fails with EFBIG, as on a full disk. Its output
 * is searched for the test credentials.
 */
export function runCliWithFileSizeLimit(args: readonly string[], cwd: string, blocks: number): Promise<CliOutcome> {
  const child = spawn(
    '/bin/sh',
    ['-c', 'ulimit -f "$1" && shift && exec "$@"', 'sh', String(blocks), process.execPath, CLI_PATH, ...args],
    {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, NO_COLOR: '1', TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  trackProcess(child);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      sweepText(
        `${out}\n${err}`,
        `output of imagestreams ${args.join(' ')} (file size limit ${blocks * FILE_SIZE_BLOCK} bytes)`,
      );
      resolve({ code, signal, stdout: out, stderr: err, peakRssMb: null, stoppedBy: signal ? 'timeout' : 'exit' });
    });
  });
}
