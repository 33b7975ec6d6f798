import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { State } from '../../src/core/state-model.js';
import { trackProcess } from './cleanup.js';
import { CLI_PATH, REPO_ROOT, tempDir } from './cli.js';

/** The script every CI recipe calls (examples/ci/imagestreams-ci.sh). */
export const CI_SCRIPT = join(REPO_ROOT, 'examples', 'ci', 'imagestreams-ci.sh');

export interface RunResult {
  code: number;
  output: string;
}

/** Runs `command` to its end, stdout and stderr collected together. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  trackProcess(child);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/**
 * A CI job's world on this machine: a bare git remote (`remote.git`, branch main) and clones of it, each a job's
 * checkout. `imagestreams` on PATH is the built CLI; git reads no configuration but each clone's own.
 */
export class CiSandbox {
  readonly dir = tempDir('imagestreams-ci-').path;
  readonly remote = join(this.dir, 'remote.git');
  private readonly bin = join(this.dir, 'bin');

  constructor() {
    mkdirSync(this.bin);
    const cli = join(this.bin, 'imagestreams');
    writeFileSync(cli, `#!/bin/sh\nexec "${process.execPath}" "${CLI_PATH}" "$@"\n`);
    chmodSync(cli, 0o755);
    mkdirSync(join(this.dir, 'home'));
    writeFileSync(join(this.dir, 'gitconfig'), '');
  }

  /** The environment of a job: no user configuration, colour or credentials of the machine running the test. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:${process.env.PATH ?? ''}`,
      HOME: join(this.dir, 'home'),
      GIT_CONFIG_GLOBAL: join(this.dir, 'gitconfig'),
      GIT_CONFIG_NOSYSTEM: '1',
      NO_COLOR: '1',
      ...extra,
    };
  }

  async init(): Promise<void> {
    await this.expect('git', ['init', '--quiet', '--bare', '--initial-branch=main', this.remote], this.dir);
  }

  /** A fresh clone of the remote, checked out at `ref` (default main). */
  async clone(name: string, ref = 'main'): Promise<Clone> {
    const path = join(this.dir, name);
    await this.expect('git', ['clone', '--quiet', this.remote, path], this.dir);
    const clone = new Clone(this, path);
    await clone.git('config', 'user.name', name);
    await clone.git('config', 'user.email', `${name}@example.invalid`);
    if (ref !== 'main') await clone.git('checkout', '--quiet', ref);
    return clone;
  }

  /** A file of the remote, as of `revision` (default main). */
  async remoteFile(path: string, revision = 'main'): Promise<string> {
    return (await this.expect('git', ['--git-dir', this.remote, 'show', `${revision}:${path}`], this.dir)).output;
  }

  async remoteState(): Promise<State> {
    return JSON.parse(await this.remoteFile('imagestreams.state.json')) as State;
  }

  /** The subjects of main's commits, newest first. */
  async remoteLog(): Promise<string[]> {
    const log = await this.expect('git', ['--git-dir', this.remote, 'log', '--format=%s', 'main'], this.dir);
    return log.output.trimEnd().split('\n');
  }

  async expect(command: string, args: string[], cwd: string, env = this.env()): Promise<RunResult> {
    const result = await run(command, args, cwd, env);
    if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.output}`);
    return result;
  }
}

/** One checkout of the remote: a pull request's branch, or the job after merge. */
export class Clone {
  constructor(
    private readonly sandbox: CiSandbox,
    readonly path: string,
  ) {}

  git(...args: string[]): Promise<RunResult> {
    return this.sandbox.expect('git', args, this.path);
  }

  write(file: string, text: string): void {
    writeFileSync(join(this.path, file), text);
  }

  read(file: string): string {
    return readFileSync(join(this.path, file), 'utf8');
  }

  async commit(message: string): Promise<void> {
    await this.git('add', '--all');
    await this.git('commit', '--quiet', '-m', message);
  }

  /** Runs `imagestreams-ci.sh ARGS` here, as a job step does, with the job's environment plus `env`. */
  script(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return run('bash', [CI_SCRIPT, ...args], this.path, this.sandbox.env({ IMAGESTREAMS_BRANCH: 'main', ...env }));
  }
}
