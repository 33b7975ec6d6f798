import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { writeImageLayout } from '../helpers/images.js';
import { parsePlanJson } from '../helpers/plan-text.js';
import { pushAsSchema1 } from '../helpers/skopeo.js';
import { insecure, Workspace } from '../helpers/workspace.js';

const layoutDir = join(tempDir('imagestreams-schema1-').path, 'layout');
const { registry } = useRegistry({ schema1: true });

beforeAll(async () => {
  writeImageLayout(layoutDir, { tags: { single: { platforms: ['linux/amd64'] } } });
  await pushAsSchema1(layoutDir, 'single', registry, 'legacy/app:old');
});

const SCHEMA1_REFUSED = (reference: string) =>
  `${reference} is a Docker schema 1 manifest, which is deprecated and not supported; push the image again with a current client`;

describe('an image stored as Docker schema 1', () => {
  it('makes inspect exit 1 with one line saying schema 1 is not supported', async () => {
    const reference = `${registry.host}/legacy/app:old`;
    const result = await runCli(['inspect', reference, '--insecure']);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`error: ${SCHEMA1_REFUSED(reference)}\n`);
    expect(result.code).toBe(1);
  });

  it('makes plan exit 1 with the tag listed under errors, naming schema 1, and writes no state', async () => {
    const work = new Workspace('imagestreams-schema1-plan-');
    work.writeCatalog({
      registries: insecure(registry.host),
      streams: { legacy: { old: { from: `${registry.host}/legacy/app:old` } } },
    });
    const result = await work.run(['plan', '--detailed-exitcode']);
    expect(result.code).toBe(1);
    const errorLines = result.stdout.split('\n').filter((line) => line.includes('schema 1'));
    expect(errorLines).toEqual([`  ✗ legacy:old: ${SCHEMA1_REFUSED(`${registry.host}/legacy/app:old`)}`]);
    expect(result.stderr).toBe('');
    const json = parsePlanJson((await work.run(['plan', '--json'])).stdout);
    expect(json.errors.map((e) => [e.address, e.reason])).toEqual([['legacy:old', 'InvalidManifest']]);
    expect(work.stateBytes()).toBeUndefined();
  });
});
