import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CliResult } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { GeneratedImage } from '../helpers/images.js';
import { parsePlanJson } from '../helpers/plan-text.js';
import { type CatalogSpec, Workspace } from '../helpers/workspace.js';

/** A token-auth registry that refuses anonymous pulls; catalogs reach it with a Kubernetes pull secret. */
const { registry, upstream } = useRegistry({ mode: 'token', token: { anonymousPull: false } });
const work = new Workspace();
const outputs: CliResult[] = [];
const WRONG_PASSWORD = 'pw-wrong-Zq8Xr4Lm2';
let latestV1: GeneratedImage;

beforeAll(async () => {
  latestV1 = await upstream.push('e2e/private', 'latest', { platforms: ['linux/amd64', 'linux/arm64'], seed: 'v1' });
  await upstream.push('e2e/private', 'pinned', { platforms: ['linux/amd64'] });
  mkdirSync(work.file('secrets'));
  writePullSecret('secrets/pull-secret.yaml', registry.password!);
  writePullSecret('secrets/wrong-secret.yaml', WRONG_PASSWORD);
});

/** `auth` of a docker config entry: base64 of `user:password`. */
const basicAuth = (password: string) => Buffer.from(`${registry.username}:${password}`).toString('base64');

function dockerConfigJson(password: string): string {
  return JSON.stringify({ auths: { [registry.host]: { auth: basicAuth(password) } } });
}

function writePullSecret(path: string, password: string): void {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'pull-secret' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(dockerConfigJson(password)).toString('base64') },
  };
  writeFileSync(work.file(path), stringify(secret));
}

function catalog(registries: CatalogSpec['registries']): CatalogSpec {
  const from = (tag: string) => `${registry.host}/e2e/private:${tag}`;
  return {
    registries,
    streams: {
      app: {
        latest: { from: from('latest'), importMode: 'PreserveOriginal', scheduled: true },
        pinned: { from: from('pinned') },
      },
    },
  };
}

const withSecret = (secret = 'secrets/pull-secret.yaml') =>
  catalog({ [registry.host]: { insecure: true, auth: { secret } } });

async function cli(args: string[], code: number): Promise<CliResult> {
  const result = await work.expectRun(args, code);
  outputs.push(result);
  return result;
}

describe('a registry that refuses anonymous pulls', () => {
  it('is refused without the pull secret: plan lists every tag as Unauthorized and exits 1', async () => {
    work.writeCatalog(catalog({ [registry.host]: { insecure: true } }));
    const plan = parsePlanJson((await cli(['plan', '--json'], 1)).stdout);
    expect(plan.errors.map((e) => [e.address, e.reason])).toEqual([
      ['app:latest', 'Unauthorized'],
      ['app:pinned', 'Unauthorized'],
    ]);
  });

  it('is reached with the pull secret named in registries.<host>.auth.secret: plan, apply, plan again', async () => {
    work.writeCatalog(withSecret());
    await cli(['plan', '--detailed-exitcode'], 2);
    const apply = await cli(['apply', '--auto-approve'], 0);
    expect(apply.stdout).toContain('Apply complete! 2 imported, 0 re-imported, 0 removed, 0 failed.');
    expect(work.state().streams.app!.tags.latest!.items[0]!.digest).toBe(latestV1.digest);
    const again = await cli(['plan', '--detailed-exitcode'], 0);
    expect(again.stdout).toBe('No changes. 2 tags up to date.\n');
    await cli(['show', '--json'], 0);
  });

  it('fails cleanly when the secret holds refused credentials, naming the source, never the credentials', async () => {
    work.writeCatalog(withSecret('secrets/wrong-secret.yaml'));
    const plan = parsePlanJson((await cli(['plan', '--json', '--out', 'wrong.json'], 1)).stdout);
    expect(plan.errors.map((e) => e.reason)).toEqual(['Unauthorized', 'Unauthorized']);
    expect(plan.errors[0]!.message).toContain('wrong-secret.yaml');
    await cli(['plan', '--format', 'markdown'], 1);
    await cli(['apply', '--auto-approve'], 1);
  });

  it('records a refused import in the state as ImportSuccess False (Unauthorized)', async () => {
    await upstream.push('e2e/private', 'latest', { platforms: ['linux/amd64', 'linux/arm64'], seed: 'v2' });
    work.writeCatalog(withSecret());
    await cli(['plan', '--out', 'moved.json'], 0);
    writePullSecret('secrets/pull-secret.yaml', WRONG_PASSWORD);
    const apply = await cli(['apply', 'moved.json'], 1);
    expect(apply.stdout).toContain('✗ app:latest: Import failed (Unauthorized): ');
    const latest = work.state().streams.app!.tags.latest!;
    expect(latest.conditions.map((c) => c.reason)).toEqual(['Unauthorized']);
    expect(latest.items.map((i) => i.digest)).toEqual([latestV1.digest]);
    await cli(['show'], 0);
    writePullSecret('secrets/pull-secret.yaml', registry.password!);
  });

  it('never shows a credential of the pull secrets in any output, state, journal or plan file', () => {
    const secrets = [registry.password!, WRONG_PASSWORD].flatMap((password) => [
      password,
      basicAuth(password),
      Buffer.from(dockerConfigJson(password)).toString('base64'),
    ]);
    const written = filesUnder(work.dir).filter((path) => !path.startsWith('secrets/'));
    expect(written).toEqual(expect.arrayContaining(['imagestreams.state.json', 'wrong.json', 'moved.json']));
    const texts = [
      ...outputs.flatMap((o, i) => [
        [`output ${i} stdout`, o.stdout] as const,
        [`output ${i} stderr`, o.stderr] as const,
      ]),
      ...written.map((path) => [path, readFileSync(join(work.dir, path), 'utf8')] as const),
    ];
    const leaks = texts.flatMap(([where, text]) => secrets.filter((s) => text.includes(s)).map(() => where));
    expect(leaks).toEqual([]);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => relative(dir, join(dir, name)));
}
