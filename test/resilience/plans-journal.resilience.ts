import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../src/core/state-model.js';
import { encodeJournalRecord } from '../../src/state/journal.js';
import { writeImageLayout } from '../helpers/images.js';
import { type CatalogSpec, Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { FILE_SIZE_BLOCK, runCliWithFileSizeLimit } from './support/plan-files.js';
import { tally } from './support/run-context.js';

const TAGS = ['t0', 't1', 't2'];
const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/s390x', 'linux/ppc64le'];

/** Three PreserveOriginal tags of four platforms each: every journal line is well over 1 KiB. */
function workspace(): Workspace {
  const work = new Workspace('imagestreams-plans-journal-');
  writeImageLayout(join(work.dir, 'upstream'), {
    tags: Object.fromEntries(TAGS.map((t) => [t, { platforms: PLATFORMS, seed: t }])),
  });
  const tags = Object.fromEntries(TAGS.map((t) => [t, { from: `oci:upstream:${t}`, importMode: 'PreserveOriginal' }]));
  const catalog: CatalogSpec = { streams: { app: tags } };
  work.writeCatalog(catalog);
  return work;
}

/** The journal line recording each tag as `state` holds it (lineages and timestamps have a fixed length). */
function journalLineSizes(state: State): number[] {
  return TAGS.map(
    (tag) =>
      encodeJournalRecord({
        version: 1,
        lineage: state.lineage,
        serial: 0,
        entry: { op: 'setTag', stream: 'app', tag, value: state.streams.app!.tags[tag]! },
      }).length,
  );
}

/** The addresses stderr reports as imported. */
function reportedImported(stderr: string): string[] {
  return [...stderr.matchAll(/^(app:t\d): imported /gm)].map((m) => m[1]!);
}

async function stateShown(work: Workspace): Promise<State> {
  const show = await runCliMeasured(['show', '--json'], work.dir);
  expect(show.code, show.stderr).toBe(0);
  return JSON.parse(show.stdout) as State;
}

const JOURNAL_FAILURE =
  /^error: cannot record in state journal \S+imagestreams\.state\.json\.journal: EFBIG: file too large, write\n/m;

describe('apply when the state journal cannot be written (the file size limit stands in for a full disk)', () => {
  /** A file size limit (in blocks) that the first journal line fits in and the first two do not. */
  let limit: number;

  beforeAll(async () => {
    const reference = workspace();
    expect((await runCliMeasured(['apply', '--auto-approve'], reference.dir)).code).toBe(0);
    const [first, second] = journalLineSizes(reference.state());
    limit = Math.ceil(first! / FILE_SIZE_BLOCK);
    expect(limit * FILE_SIZE_BLOCK).toBeLessThan(first! + second!);
  });

  it('stops at the failed write, reports imported only what was recorded, and says what was and was not', async () => {
    const work = workspace();
    const outcome = await runCliWithFileSizeLimit(['apply', '--auto-approve', '--concurrency', '1'], work.dir, limit);
    expect(outcome.code, outcome.stderr).toBe(1);
    expect(outcome.stderr).toMatch(JOURNAL_FAILURE);
    expect(outcome.stderr).toMatch(
      /\nApply stopped\. Recorded before that, and kept in the state journal \(the next apply writes it into the state file\): app:t0\. Not recorded: app:t1, app:t2\.\n$/,
    );
    expect(outcome.stderr).not.toMatch(/internal error|\n {4}at /);
    expect(reportedImported(outcome.stderr)).toEqual(['app:t0']);
    expect(existsSync(work.statePath)).toBe(false);

    expect(Object.keys((await stateShown(work)).streams.app!.tags)).toEqual(['t0']);
    const rest = await runCliMeasured(['apply', '--auto-approve'], work.dir);
    expect(rest.code, rest.stderr).toBe(0);
    expect(reportedImported(rest.stderr).sort()).toEqual(['app:t1', 'app:t2']);
    expect(Object.keys(work.state().streams.app!.tags).sort()).toEqual(TAGS);
    tally({ faults: 1 });
  });

  it('with imports running at once, what it reports imported is exactly what the state then holds', async () => {
    const work = workspace();
    const outcome = await runCliWithFileSizeLimit(['apply', '--auto-approve'], work.dir, limit);
    expect(outcome.code, outcome.stderr).toBe(1);
    expect(outcome.stderr).toMatch(JOURNAL_FAILURE);
    expect(outcome.stderr).toMatch(/\nApply stopped\. .*Not recorded: /);
    const recorded = Object.keys((await stateShown(work)).streams.app?.tags ?? {}).map((tag) => `app:${tag}`);
    expect(reportedImported(outcome.stderr).sort()).toEqual(recorded.sort());
    expect(recorded.length).toBeLessThan(TAGS.length);
    tally({ faults: 1 });
  });
});
