import { chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askCredentialHelper, CredentialHelpers } from '../../src/credentials/credential-helper.js';
import { CredentialsError } from '../../src/credentials/errors.js';

const FAKE_HELPER = new URL('../fixtures/credentials/fake-credential-helper.sh', import.meta.url);

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imagestreams-helper-'));
  await copyFile(FAKE_HELPER, join(dir, 'docker-credential-test'));
  await chmod(join(dir, 'docker-credential-test'), 0o755);
  await copyFile(FAKE_HELPER, join(dir, 'docker-credential-notexecutable'));
  await chmod(join(dir, 'docker-credential-notexecutable'), 0o644);
  env = { PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, HELPER_LOG: join(dir, 'calls.log') };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ask = (serverUrl: string, helper = 'test', timeoutMs = 10_000) =>
  askCredentialHelper(helper, serverUrl, { env, timeoutMs });

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

describe('docker-credential-* helpers', () => {
  it('returns the username and secret the helper answers', async () => {
    expect(await ask('found.example')).toEqual({
      kind: 'basic',
      username: 'docker-credential-test',
      password: 'pw-helper-found',
    });
  });

  it('takes the <token> username as an identity token', async () => {
    expect(await ask('token.example')).toEqual({ kind: 'identityToken', token: 'idtoken-helper' });
  });

  it.each([
    ['the helper has no credentials for the server', 'unknown.example', 'test'],
    ['the helper answers nothing', 'empty.example', 'test'],
    ['the helper is not installed', 'found.example', 'absent'],
  ])('finds nothing when %s', async (_case, serverUrl, helper) => {
    expect(await ask(serverUrl, helper)).toBeUndefined();
  });

  it('names the helper and its exit code on failure, never its output', async () => {
    const error = await failure(ask('failing.example'));
    expect(error.message).toBe('credential helper docker-credential-test exited with code 2 for failing.example');
  });

  it('rejects an answer that is not the expected JSON without quoting it', async () => {
    const error = await failure(ask('garbage.example'));
    expect(error.message).toBe(
      'credential helper docker-credential-test answered for garbage.example with something other than {"Username", "Secret"} JSON',
    );
  });

  it('gives up on a helper that does not answer in time', async () => {
    const error = await failure(ask('slow.example', 'test', 300));
    expect(error.message).toBe('credential helper docker-credential-test did not answer within 0.3 s for slow.example');
  });

  it('reports a helper that cannot be run', async () => {
    const error = await failure(ask('found.example', 'notexecutable'));
    expect(error.message).toBe('credential helper docker-credential-notexecutable could not be run (EACCES)');
  });
});

describe('CredentialHelpers', () => {
  const calls = async () =>
    (await readFile(join(dir, 'calls.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);

  it('asks a helper once per server and remembers the answer, found or not', async () => {
    await rm(join(dir, 'calls.log'), { force: true });
    const helpers = new CredentialHelpers({ env, timeoutMs: 10_000 });
    const first = await Promise.all([helpers.get('test', 'found.example'), helpers.get('test', 'found.example')]);
    const again = await helpers.get('test', 'found.example');
    await helpers.get('test', 'unknown.example');
    await helpers.get('test', 'unknown.example');
    expect(first[0]).toEqual(again);
    expect(first[1]).toEqual(again);
    expect(await calls()).toEqual(['docker-credential-test found.example', 'docker-credential-test unknown.example']);
  });

  it('asks again after a failure', async () => {
    await rm(join(dir, 'calls.log'), { force: true });
    const helpers = new CredentialHelpers({ env, timeoutMs: 10_000 });
    await expect(helpers.get('test', 'failing.example')).rejects.toThrow(CredentialsError);
    await expect(helpers.get('test', 'failing.example')).rejects.toThrow(CredentialsError);
    expect(await calls()).toEqual(['docker-credential-test failing.example', 'docker-credential-test failing.example']);
  });
});
