import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { Workspace } from '../helpers/workspace.js';

/** A scheduled tag of the demo image layout whose preferred platform no image has (a typo of amd64). */
function workspace(): Workspace {
  const ws = new Workspace('imagestreams-warnings-');
  cpSync(join(REPO_ROOT, 'examples', 'images', 'demo'), ws.file('images/demo'), { recursive: true });
  ws.writeCatalog(
    [
      'apiVersion: imagestreams/v1',
      'kind: Catalog',
      'streams:',
      '  demo:',
      '    tags:',
      '      "1.0":',
      '        from: oci:images/demo:1.0',
      '        scheduled: true',
      '        preferPlatform: linux/amd65',
      '',
    ].join('\n'),
  );
  return ws;
}

const AMD65 =
  'imagestreams.yaml:9:25: warning: "preferPlatform" in streams.demo.tags.1.0: unknown architecture "amd65" (did you mean "amd64"?)';

describe('the catalog warnings validate prints, plan, apply and watch print too: once, on stderr', () => {
  it('plan: the warning on stderr, the plan alone on stdout', async () => {
    const result = await workspace().expectRun(['plan', '--no-color'], 0);
    expect(result.stderr).toBe(`${AMD65}\n`);
    expect(result.stdout).toContain('+ demo:1.0  oci:images/demo:1.0');
    expect(result.stdout).not.toContain('warning');
  });

  it('plan --json: stdout is the JSON document only', async () => {
    const result = await workspace().expectRun(['plan', '--json'], 0);
    expect(result.stderr).toBe(`${AMD65}\n`);
    expect(JSON.parse(result.stdout)).toMatchObject({ changes: [expect.objectContaining({ address: 'demo:1.0' })] });
  });

  it('apply: the warning once, before the imports', async () => {
    const result = await workspace().expectRun(['apply', '--auto-approve', '--no-color'], 0);
    expect(result.stderr.split('\n').filter((line) => line.includes('warning'))).toEqual([AMD65]);
    expect(result.stderr.startsWith(`${AMD65}\n`)).toBe(true);
    expect(result.stdout).toContain('Apply complete!');
    expect(result.stdout).not.toContain('warning');
  });

  it('watch --once: the warning as a log line, before the pass starts', async () => {
    const result = await workspace().expectRun(['watch', '--once'], 0);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.filter((line) => line.includes('warning'))).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+Z /);
    expect(lines[0]?.replace(/^\S+Z /, '')).toBe(AMD65);
    expect(lines[1]).toContain('checking the 1 scheduled tag of imagestreams.yaml once');
    expect(result.stdout).toBe('');
  });

  it('watch --once --json: the warning as an NDJSON event, so that every line still parses', async () => {
    const result = await workspace().expectRun(['watch', '--once', '--json'], 0);
    const events = result.stderr
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(events.map((event) => event.type)).toEqual(['catalog-warning', 'started', 'imported', 'stopped']);
    expect(events[0]).toEqual({
      time: expect.any(String),
      type: 'catalog-warning',
      file: 'imagestreams.yaml',
      line: 9,
      column: 25,
      message: AMD65.replace(/^.*?warning: /, ''),
    });
  });
});
