import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { ImageSpec } from '../helpers/images.js';
import { block, parsePlanJson } from '../helpers/plan-text.js';
import { catalogText, insecure, Workspace } from '../helpers/workspace.js';

const { proxy, upstream } = useRegistry({ faultProxy: true });

const IMAGE: ImageSpec = { platforms: ['linux/amd64', 'linux/arm64'] };

/** Sources are read through the fault proxy, so that tests can make the registry fail. */
const source = (repository: string, tag: string) => `${proxy.host}/${repository}:${tag}`;

describe('a catalog error', () => {
  const work = new Workspace();
  const IMPORT_MODE_ERROR = 'error: valid ImportMode values are Legacy or PreserveOriginal';

  beforeAll(async () => {
    await upstream.push('e2e/catalog', '1', IMAGE);
    work.writeCatalog({
      registries: insecure(proxy.host),
      streams: { app: { t: { from: source('e2e/catalog', '1') } } },
    });
    await work.expectRun(['apply', '--auto-approve'], 0);
  });

  const badCatalogs = {
    'under a tag': () => [
      'apiVersion: imagestreams/v1',
      'kind: Catalog',
      'registries:',
      `  "${proxy.host}": {insecure: true}`,
      'streams:',
      '  app:',
      '    tags:',
      '      t:',
      `        from: ${source('e2e/catalog', '1')}`,
      '        importMode:   Preserve',
    ],
    'under defaults': () => [
      'apiVersion: imagestreams/v1',
      'kind: Catalog',
      'defaults: {importMode: legacy}',
      'streams:',
      '  app:',
      '    tags:',
      `      t: {from: ${source('e2e/catalog', '1')}}`,
    ],
  };
  const commands = [['validate'], ['plan'], ['apply', '--auto-approve']];

  describe.each(Object.entries(badCatalogs))('a bad import mode %s', (_where, lines) => {
    it.each(commands)(
      'makes %s print exactly FILE:LINE:COL: the oc message, exit 1, state untouched',
      async (...args) => {
        const text = lines();
        const line = text.findIndex((l) => /importMode: +\S/.test(l));
        const column = text[line]!.search(/(?<=importMode: +)\S/) + 1;
        work.writeCatalog(`${text.join('\n')}\n`);
        const before = work.stateBytes();
        const result = await work.expectRun(args, 1);
        expect(result.stderr).toBe(`imagestreams.yaml:${line + 1}:${column}: ${IMPORT_MODE_ERROR}\n`);
        expect(result.stdout).toBe('');
        expect(work.stateBytes()).toEqual(before);
      },
    );
  });

  it('validate accepts a good catalog, offline', async () => {
    work.writeCatalog(
      catalogText({
        registries: insecure('127.0.0.1:9'),
        streams: { app: { a: { from: '127.0.0.1:9/e2e/nowhere:1' }, b: { from: 'oci:no/such/layout:1' } } },
      }),
    );
    const result = await work.expectRun(['validate'], 0);
    expect(result.stdout).toBe('imagestreams.yaml is valid: 1 stream, 2 tags.\n');
  });
});

describe('a tag whose source does not exist', () => {
  const repo = 'e2e/unresolved';
  const work = new Workspace();

  beforeAll(async () => {
    await upstream.push(repo, 'good', IMAGE);
    work.writeCatalog({
      registries: insecure(proxy.host),
      streams: { app: { good: { from: source(repo, 'good') }, missing: { from: source(repo, 'no-such-tag') } } },
    });
  });

  it('is listed under errors and makes plan exit 1, even with --detailed-exitcode', async () => {
    const result = await work.expectRun(['plan', '--detailed-exitcode'], 1);
    expect(result.stdout).toContain(
      block(
        'Errors (tags that could not be resolved; their state is left as it is):',
        `  ✗ app:missing: ${source(repo, 'no-such-tag')} not found: repository ${proxy.host}/${repo} has no tag "no-such-tag"`,
        '',
        'Plan: 1 to import, 0 to re-import, 0 to remove. 0 unchanged. 1 tag could not be resolved.',
      ),
    );
  });

  it('makes apply import the other tags, report the failure and exit 1', async () => {
    const result = await work.expectRun(['apply', '--auto-approve'], 1);
    expect(result.stdout).toContain(
      block(
        'Apply finished with errors! 1 imported, 0 re-imported, 0 removed, 1 failed.',
        `  ✗ app:missing: Import failed (NotFound): ${source(repo, 'no-such-tag')} not found: repository ${proxy.host}/${repo} has no tag "no-such-tag"`,
      ),
    );
    expect(Object.keys(work.state().streams.app!.tags)).toEqual(['good']);
  });

  it('keeps failing apply with nothing else to do, also with --json', async () => {
    const result = await work.expectRun(['apply', '--auto-approve', '--json'], 1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      imported: [],
      failed: [{ address: 'app:missing', reason: 'NotFound' }],
    });
  });
});

describe('a registry refusing access (HTTP 403)', () => {
  const repo = 'e2e/forbidden';
  const work = new Workspace();
  const password = 'the-secret-pass-51c9';
  const auth = Buffer.from(`robot:${password}`).toString('base64');
  const basicChallenge = {
    kind: 'status',
    status: 401,
    headers: { 'www-authenticate': 'Basic realm="test"' },
  } as const;

  beforeAll(async () => {
    await upstream.push(repo, '1', IMAGE);
    work.writeCatalog({ registries: insecure(proxy.host), streams: { app: { t: { from: source(repo, '1') } } } });
    writeFileSync(work.file('auth.json'), JSON.stringify({ auths: { [proxy.host]: { auth } } }));
  });

  afterEach(() => proxy.reset());

  /** The plan's error line for app:t while the registry answers 403 to its manifests. */
  async function deniedLine(args: string[] = []): Promise<string> {
    proxy.inject(
      { kind: 'status', status: 403, body: '' },
      { path: new RegExp(`^/v2/${repo}/manifests/`), times: 100 },
    );
    const result = await work.expectRun(['plan', ...args], 1);
    expect(result.stdout + result.stderr).not.toContain(password);
    expect(result.stdout + result.stderr).not.toContain(auth);
    return result.stdout.split('\n').find((line) => line.startsWith('  ✗ app:t: '))!;
  }

  it('names the credentials file and key the denied request carried, never the secret', async () => {
    proxy.inject(basicChallenge, { path: '/v2/' });
    expect(await deniedLine(['--authfile', 'auth.json'])).toMatch(
      /is denied \(HTTP 403\); credentials used: those for 127\.0\.0\.1:\d+ from --authfile .*auth\.json \(key 127\.0\.0\.1:\d+\)$/,
    );
    const denied = proxy.requests.filter((r) => r.fault === 'status' && r.path.includes('/manifests/'));
    expect(denied.map((r) => r.headers.authorization)).toContain(`Basic ${auth}`);
  });

  it('says that no credentials were found, and where it looked, when the registry asked for some', async () => {
    proxy.inject(basicChallenge, { path: '/v2/' });
    expect(await deniedLine()).toMatch(
      /is denied \(HTTP 403\); credentials used: none: no credentials found for 127\.0\.0\.1:\d+ \(looked in: .+\)$/,
    );
  });

  it('says that none were sent when the registry asked for none', async () => {
    expect(await deniedLine(['--authfile', 'auth.json'])).toMatch(
      /is denied \(HTTP 403\); credentials used: none \(the registry asked for none\)$/,
    );
  });
});

describe.each([
  { status: 403, reason: 'Forbidden' },
  { status: 404, reason: 'NotFound' },
])('a registry answering $status while a saved plan is applied', ({ status, reason }) => {
  const repo = (name: string) => `e2e/fail-${status}-${name}`;
  const work = new Workspace();
  let movingV1: string;
  let movingV2: string;
  let fresh: string;

  beforeAll(async () => {
    movingV1 = (await upstream.push(repo('moving'), 'latest', { ...IMAGE, seed: 'v1' })).digest;
    const moving = { from: source(repo('moving'), 'latest'), importMode: 'PreserveOriginal', scheduled: true };
    work.writeCatalog({ registries: insecure(proxy.host), streams: { app: { moving } } });
    await work.expectRun(['apply', '--auto-approve'], 0);
    movingV2 = (await upstream.push(repo('moving'), 'latest', { ...IMAGE, seed: 'v2' })).digest;
    fresh = (await upstream.push(repo('fresh'), '1', IMAGE)).digest;
    work.writeCatalog({
      registries: insecure(proxy.host),
      streams: { app: { moving, fresh: { from: source(repo('fresh'), '1'), importMode: 'PreserveOriginal' } } },
    });
    await work.expectRun(['plan', '--out', 'plan.json'], 0);
  });

  afterAll(() => proxy.reset());

  it(`records ImportSuccess False (${reason}) for that tag, keeps its items and the other imports, exits 1`, async () => {
    proxy.inject(
      { kind: 'status', status, body: '' },
      { path: new RegExp(`^/v2/${repo('moving')}/manifests/`), times: 1000 },
    );
    const result = await work.expectRun(['apply', 'plan.json'], 1);
    proxy.reset();
    expect(result.stdout).toContain('Apply finished with errors! 1 imported, 0 re-imported, 0 removed, 1 failed.');
    expect(result.stdout).toMatch(new RegExp(`^ {2}✗ app:moving: Import failed \\(${reason}\\): \\S`, 'm'));

    const state = work.state();
    expect(state.serial).toBe(2);
    expect(state.streams.app!.tags.fresh!.items.map((i) => i.digest)).toEqual([fresh]);
    const moving = state.streams.app!.tags.moving!;
    expect(moving.items.map((i) => i.digest)).toEqual([movingV1]);
    expect(moving.conditions).toEqual([
      {
        type: 'ImportSuccess',
        status: 'False',
        reason,
        message: expect.stringMatching(/\S/),
        generation: 2,
        lastTransitionTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    const show = await work.expectRun(['show', 'app:moving'], 0);
    expect(show.stdout).toContain(`  ! error: Import failed (${reason}): `);
  });

  it('is retried by the next plan and a successful apply clears the condition', async () => {
    const plan = await work.expectRun(['plan', '--json'], 0);
    expect(parsePlanJson(plan.stdout).changes.map((c) => [c.address, c.action, c.after?.digest ?? null])).toEqual([
      ['app:moving', 'update', movingV2],
      ['app:fresh', 'noop', fresh],
    ]);
    await work.expectRun(['apply', '--auto-approve'], 0);
    const moving = work.state().streams.app!.tags.moving!;
    expect(moving.conditions).toEqual([]);
    expect(moving.items.map((i) => i.digest)).toEqual([movingV2, movingV1]);
  });
});

describe('the state lock', () => {
  const repo = 'e2e/lock';
  const work = new Workspace();
  const lockFile = () => `${work.statePath}.lock`;
  const holdLock = (id: string) =>
    writeFileSync(
      lockFile(),
      JSON.stringify({ id, operation: 'apply', who: 'ci@build-7', pid: 4242, created: '2026-01-02T03:04:05Z' }),
    );

  beforeAll(async () => {
    await upstream.push(repo, '1', IMAGE);
    work.writeCatalog({ registries: insecure(proxy.host), streams: { app: { t: { from: source(repo, '1') } } } });
  });

  it('makes apply fail with the lock info, and force-unlock ID removes it', async () => {
    const id = '0b7c1a52-0d1e-4f7e-9d5b-7f3e2c1a9b80';
    holdLock(id);
    const locked = await work.expectRun(['apply', '--auto-approve'], 1);
    expect(locked.stderr).toContain('error: cannot lock the state: ');
    const lockInfo = locked.stderr.split('\n');
    expect(lockInfo).toContain('Lock Info:');
    expect(lockInfo).toEqual(
      expect.arrayContaining([
        `  ID:        ${id}`,
        '  Operation: apply',
        '  Who:       ci@build-7',
        '  PID:       4242',
        '  Created:   2026-01-02T03:04:05Z',
      ]),
    );
    expect(locked.stderr).toContain(`imagestreams force-unlock ${id}`);
    expect(work.stateBytes()).toBeUndefined();

    const wrong = await work.expectRun(['force-unlock', 'not-the-id'], 1);
    expect(wrong.stderr).toContain('does not match the current lock');
    expect(existsSync(lockFile())).toBe(true);

    const unlocked = await work.expectRun(['force-unlock', id], 0);
    expect(unlocked.stdout).toBe(`Lock ${id} (apply by ci@build-7) removed. The state is unlocked.\n`);
    expect(existsSync(lockFile())).toBe(false);
    await work.expectRun(['apply', '--auto-approve'], 0);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('--lock-timeout gives up after waiting that long, saying so', async () => {
    holdLock('held-for-good');
    const before = work.stateBytes();
    const result = await work.expectRun(['apply', '--auto-approve', '--lock-timeout', '1s'], 1);
    expect(result.stderr).toContain('is locked by another process (waited 1s for it to be released).');
    expect(work.stateBytes()).toEqual(before);
    unlinkSync(lockFile());
  });

  it('--lock-timeout waits for a held lock to be released, then applies', async () => {
    const tags = { t: { from: source(repo, '1') }, u: { from: source(repo, '1'), importMode: 'PreserveOriginal' } };
    work.writeCatalog({ registries: insecure(proxy.host), streams: { app: tags } });
    holdLock('released-soon');
    const applying = work.run(['apply', '--auto-approve', '--lock-timeout', '2m']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    unlinkSync(lockFile());
    const result = await applying;
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(Object.keys(work.state().streams.app!.tags).sort()).toEqual(['t', 'u']);
    expect(existsSync(lockFile())).toBe(false);
  });
});
