import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { writeImageLayout } from '../helpers/images.js';
import { localCatalog } from '../helpers/local-mirror.js';
import { runInTerminal } from '../helpers/terminal.js';
import { Workspace } from '../helpers/workspace.js';

/** Apply's progress as a terminal shows it: at zero width, at a narrow width, and for a large Local copy. */

const TAGS = ['demo:1.0', 'demo:latest', 'demo:arm', 'demo:single', 'tools:stable'];
const OUTCOME = /^(\S+): imported sha256:[0-9a-f]{12}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is looked for
const ESCAPES = /\u001b\[\d*[A-Za-z]/g;

/** A workspace holding the repository's own catalog and the image layouts it imports from (5 tags). */
function exampleWorkspace(): Workspace {
  const ws = new Workspace();
  cpSync(join(REPO_ROOT, 'imagestreams.yaml'), ws.catalogPath);
  cpSync(join(REPO_ROOT, 'examples'), ws.file('examples'), { recursive: true });
  return ws;
}

describe('apply on a terminal that reports zero columns', () => {
  it('writes whole, readable lines: one when each import starts, one when it ends, no escape sequences', async () => {
    const ws = exampleWorkspace();
    const run = await runInTerminal(['apply', '--auto-approve'], ws.dir, { columns: 0, rows: 0 });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(ESCAPES);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.filter((line) => line.endsWith(': importing…')).sort()).toEqual(
      TAGS.map((tag) => `${tag}: importing…`).sort(),
    );
    expect(lines.filter((line) => OUTCOME.test(line)).map((line) => OUTCOME.exec(line)![1])).toEqual(
      expect.arrayContaining(TAGS),
    );
    expect(lines).toHaveLength(2 * TAGS.length);
  });
});

describe('apply on a terminal 40 columns wide', () => {
  it('writes each outcome once, and no redrawn line wider than the terminal', async () => {
    const ws = exampleWorkspace();
    const run = await runInTerminal(['apply', '--auto-approve'], ws.dir, { columns: 40, rows: 12 });
    expect(run.code).toBe(0);
    const lines = run.stderr.replace(ESCAPES, '').split('\n').filter(Boolean);
    const outcomes = lines.filter((line) => OUTCOME.test(line));
    expect(outcomes.map((line) => OUTCOME.exec(line)![1]).sort()).toEqual([...TAGS].sort());
    for (const line of lines.filter((l) => !OUTCOME.test(l))) {
      expect([...line].length).toBeLessThan(40);
      expect(line).toMatch(/^\S+: importing/);
    }
  });
});

describe('a 256 MiB Local copy', () => {
  const ws = new Workspace();
  const COPIED = /^big:1\.0: imported sha256:[0-9a-f]{12} \(copied 256\.\d MiB in [\d.hms]+, [\d.]+ [KMG]?i?B\/s\)$/m;

  beforeAll(() => {
    writeImageLayout(ws.file('big'), {
      tags: { '1.0': { platforms: ['linux/amd64'], layerBytes: 256 * 1024 * 1024, uncompressed: true } },
    });
    ws.writeCatalog(
      localCatalog(
        { streams: { big: { '1.0': { from: 'oci:big:1.0', referencePolicy: 'Local' } } } },
        { layout: 'store' },
      ),
    );
  }, 120_000);

  const fresh = () => {
    rmSync(ws.file('store'), { recursive: true, force: true });
    rmSync(ws.statePath, { force: true });
  };

  it('ends, in a log, with a line saying how many bytes were copied and how fast', async () => {
    fresh();
    const run = await runInTerminal(['apply', '--auto-approve'], ws.dir, { columns: 0, rows: 0 });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(COPIED);
  }, 120_000);

  it('ends, on a terminal, with the same line below the redrawn ones, none of them wider than the terminal', async () => {
    fresh();
    const run = await runInTerminal(['apply', '--auto-approve'], ws.dir, { columns: 100, rows: 20 });
    expect(run.code).toBe(0);
    const lines = run.stderr.replace(ESCAPES, '').split('\n').filter(Boolean);
    expect(lines.at(-1)).toMatch(COPIED);
    for (const line of lines) expect([...line].length).toBeLessThan(100);
  }, 120_000);
});
