import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, removeTempDir, trackProcess } from './cleanup.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The program users run: the package's `imagestreams` bin (the bundle `npm run build` writes). */
export const CLI_PATH = join(
  REPO_ROOT,
  (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: { imagestreams: string } }).bin
    .imagestreams,
);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to the environment, which otherwise carries no colour, proxy or registry auth settings of the caller. */
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Close the reading end of stdout at once, as `| head` does once it has read enough: every write meets EPIPE. */
  closeStdout?: boolean;
}

/** Variables of the surrounding shell that would change the CLI's output, credentials or network path. */
const ISOLATED = [
  'FORCE_COLOR',
  'REGISTRY_AUTH_FILE',
  'DOCKER_CONFIG',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
];

/** This process's environment without the variables that would change the CLI's output, credentials or network. */
export function callerEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !ISOLATED.includes(key)));
}

let emptyHome: string | undefined;

/**
 * Runs the built CLI (`node dist/bin/imagestreams.js ARGS`, the package's bin) and collects its exit code and output.
 * HOME is an empty directory unless `env` sets it, so no user credentials or configuration are read.
 */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  emptyHome ??= makeTempDir('imagestreams-home-');
  const base = callerEnv();
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...base, HOME: emptyHome, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackProcess(child);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  if (options.closeStdout) child.stdout.destroy();
  else child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

export interface TempDir {
  path: string;
  remove(): void;
}

/** A fresh temporary directory; removed by `remove()` or at the latest when the test process exits. */
export function tempDir(prefix = 'imagestreams-test-'): TempDir {
  const path = makeTempDir(prefix);
  return { path, remove: () => removeTempDir(path) };
}
