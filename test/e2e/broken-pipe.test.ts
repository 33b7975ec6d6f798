import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const work = tempDir('imagestreams-broken-pipe-');
const DEMO = 'demo';
const run = (args: string[], closeStdout = true) => runCli(args, { cwd: work.path, closeStdout });

beforeAll(() => {
  cpSync(join(REPO_ROOT, 'examples', 'images', 'demo'), join(work.path, DEMO), { recursive: true });
  writeFileSync(
    join(work.path, 'imagestreams.yaml'),
    `apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  demo:\n    tags:\n      latest:\n        from: oci:${DEMO}:1.1\n        importMode: PreserveOriginal\n`,
  );
});

describe('output into a pipe whose reader went away (| head)', () => {
  it('ends plan quietly with its own exit code, before and after the apply it plans', async () => {
    expect(await run(['plan', '--detailed-exitcode'])).toEqual({ code: 2, stdout: '', stderr: '' });
    const apply = await run(['apply', '--auto-approve']);
    expect(apply.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(apply.code).toBe(0);
    expect(existsSync(join(work.path, 'imagestreams.state.json.lock'))).toBe(false);
    expect(await run(['plan', '--detailed-exitcode'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it.each([
    [['describe', 'demo']],
    [['describe', 'demo:latest', '--json']],
    [['show']],
    [['history', 'demo:latest']],
    [['import-image', 'demo:next', `--from=oci:${DEMO}:1.0`, '--dry-run']],
  ])('ends %j quietly, exit 0, no stack trace', async (args) => {
    expect(await run(args)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('still writes the state and releases the lock of an import whose output nobody reads', async () => {
    const result = await run(['import-image', 'demo:single', `--from=oci:${DEMO}:single`, '--confirm']);
    expect(result.stderr).toMatch(/^Wrote demo:single to imagestreams\.yaml\.\n(demo:single: .*\n)*$/);
    expect(result.code).toBe(0);
    expect(existsSync(join(work.path, 'imagestreams.state.json.lock'))).toBe(false);
    const shown = await run(['show', 'demo:single', '--json'], false);
    expect(JSON.parse(shown.stdout)).toMatchObject({ items: [expect.objectContaining({ generation: 2 })] });
  });
});
