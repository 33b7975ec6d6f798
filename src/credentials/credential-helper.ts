import { spawn } from 'node:child_process';
import { isPlainObject } from './auth-entry.js';
import { CredentialsError } from './errors.js';
import type { Credential } from './types.js';

export interface CredentialHelperOptions {
  /** The environment helpers run in; its PATH finds them. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

export const DEFAULT_HELPER_TIMEOUT_MS = 30_000;
const MAX_ANSWER_BYTES = 1024 * 1024;
const MAX_DIAGNOSTIC_BYTES = 64 * 1024;
const NOT_FOUND = /credentials not found/i;
/** The username with which helpers mark an identity token (docker-credential-helpers). */
const IDENTITY_TOKEN_USERNAME = '<token>';

/** Answers of `docker-credential-NAME get`, asked once per helper and server for the life of the process. */
export class CredentialHelpers {
  private readonly answers = new Map<string, Promise<Credential | undefined>>();

  constructor(private readonly options: CredentialHelperOptions) {}

  get(helper: string, serverUrl: string): Promise<Credential | undefined> {
    const key = `${helper}\u0000${serverUrl}`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer = askCredentialHelper(helper, serverUrl, this.options);
      this.answers.set(key, answer);
      answer.catch(() => this.answers.delete(key));
    }
    return answer;
  }
}

/**
 * Runs `docker-credential-NAME get` with the server URL on stdin. Undefined when the helper is not installed or has
 * no credentials for the server; a CredentialsError naming the helper (never quoting its output) on any other failure.
 */
export function askCredentialHelper(
  helper: string,
  serverUrl: string,
  options: CredentialHelperOptions,
): Promise<Credential | undefined> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout = new CappedOutput(MAX_ANSWER_BYTES);
    const stderr = new CappedOutput(MAX_DIAGNOSTIC_BYTES);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const fail = (why: string) => settle(() => reject(new CredentialsError(`credential helper ${program} ${why}`)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`did not answer within ${options.timeoutMs / 1000} s for ${serverUrl}`);
    }, options.timeoutMs);

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') settle(() => resolve(undefined));
      else fail(`could not be run (${error.code ?? 'unknown error'})`);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.add(chunk)) return;
      child.kill('SIGKILL');
      fail(`answered with more than ${MAX_ANSWER_BYTES} bytes for ${serverUrl}`);
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
    child.stdin.on('error', () => {});
    child.stdin.end(serverUrl);
    child.on('close', (code, signal) => {
      settle(() => {
        try {
          resolve(interpretAnswer({ code, signal, stdout: stdout.text(), stderr: stderr.text() }, program, serverUrl));
        } catch (error) {
          reject(error);
        }
      });
    });
  });
}

interface HelperExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function interpretAnswer(exit: HelperExit, program: string, serverUrl: string): Credential | undefined {
  if (exit.code !== 0) {
    if (NOT_FOUND.test(exit.stdout) || NOT_FOUND.test(exit.stderr)) return undefined;
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    throw new CredentialsError(`credential helper ${program} ${how} for ${serverUrl}`);
  }
  if (exit.stdout.trim() === '') return undefined;
  let answer: unknown;
  try {
    answer = JSON.parse(exit.stdout);
  } catch {
    answer = undefined;
  }
  if (
    !isPlainObject(answer) ||
    typeof answer.Secret !== 'string' ||
    !['string', 'undefined'].includes(typeof answer.Username)
  ) {
    throw new CredentialsError(
      `credential helper ${program} answered for ${serverUrl} with something other than {"Username", "Secret"} JSON`,
    );
  }
  const username = typeof answer.Username === 'string' ? answer.Username : '';
  if (answer.Secret === '') return undefined;
  if (username === IDENTITY_TOKEN_USERNAME) return { kind: 'identityToken', token: answer.Secret };
  return { kind: 'basic', username, password: answer.Secret };
}

/** Collects a stream up to a size; `add` says whether the chunk still fitted. */
class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): boolean {
    if (this.size + chunk.length > this.limit) return false;
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
