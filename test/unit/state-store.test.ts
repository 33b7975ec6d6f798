import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/core/errors.js';
import type { TagState } from '../../src/core/state-model.js';
import { emptyState, type JournalEntry, readState, StateStore, writeState } from '../../src/state/index.js';

function digest(n: number): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}

function tagState(n: number): TagState {
  return {
    spec: {
      from: 'registry.example/app:latest',
      importMode: 'Legacy',
      referencePolicy: 'Source',
      scheduled: false,
      insecure: false,
      preferPlatform: null,
    },
    items: [
      {
        created: '2026-01-02T03:04:05.678Z',
        generation: n,
        digest: digest(n),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        dockerImageReference: `registry.example/app@${digest(n)}`,
        sourceDigest: digest(n),
        selectedBy: 'single manifest',
        manifests: [
          {
            platform: 'linux/amd64',
            digest: digest(n),
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            size: n,
          },
        ],
      },
    ],
    conditions: [],
  };
}

function setTag(tag: string, n: number, stream = 'app'): JournalEntry {
  return { op: 'setTag', stream, tag, value: tagState(n) };
}

let dir: string;
let path: string;
let journal: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'state-store-'));
  path = join(dir, 'imagestreams.state.json');
  journal = `${path}.journal`;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function journalLines(): Promise<string[]> {
  const text = await readFile(journal, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

/** Records entries and stops without committing, as a process killed in the middle of apply. */
async function crashAfterRecording(entries: JournalEntry[]): Promise<void> {
  const store = await StateStore.open(path);
  for (const entry of entries) await store.record(entry);
  await store.close();
}

describe('StateStore.open', () => {
  it('presents an empty state at serial 0 when there is no state file', async () => {
    const store = await StateStore.open(path);
    expect(store.state).toMatchObject({ version: 1, serial: 0, streams: {} });
    expect(store.priorSerial).toBe(0);
    expect(store.changed).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('presents the state file as read', async () => {
    const state = { ...emptyState(), serial: 7 };
    await writeState(path, state);
    const store = await StateStore.open(path);
    expect(store.state).toEqual(state);
    expect(store.priorSerial).toBe(7);
  });
});

describe('StateStore.record', () => {
  it('appends one line per entry and leaves the state file alone until commit', async () => {
    await writeState(path, emptyState());
    const before = await readFile(path, 'utf8');
    const store = await StateStore.open(path);
    for (let i = 1; i <= 3; i++) {
      await store.record(setTag(`t${i}`, i));
      expect(await journalLines()).toHaveLength(i);
    }
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(Object.keys(store.state.streams.app!.tags)).toEqual(['t1', 't2', 't3']);
    await store.close();
  });

  it('keeps the order of concurrent records', async () => {
    const store = await StateStore.open(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.record(setTag(`t${i}`, i + 1))));
    const tags = (await journalLines()).map((line) => JSON.parse(line).entry.tag);
    expect(tags).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`));
    await store.close();
  });

  it('refuses an invalid entry without recording it', async () => {
    const store = await StateStore.open(path);
    const broken = { ...tagState(1), items: [{ ...tagState(1).items[0]!, digest: 'nope' }] };
    await expect(store.record({ op: 'setTag', stream: 'app', tag: 't', value: broken })).rejects.toThrow(
      /invalid state change: invalid tag state for app:t:\n {2}\/items\/0\/digest: must match pattern/,
    );
    await expect(store.record({ op: 'deleteTag', stream: '', tag: 't' })).rejects.toThrow(StateError);
    expect(await readdir(dir)).toEqual([]);
    expect(store.changed).toBe(false);
  });

  it('forgets a deleted tag, and its stream with its last tag', async () => {
    const store = await StateStore.open(path);
    await store.record(setTag('a', 1));
    await store.record(setTag('b', 2));
    await store.record({ op: 'deleteTag', stream: 'app', tag: 'a' });
    expect(Object.keys(store.state.streams.app!.tags)).toEqual(['b']);
    await store.record({ op: 'deleteTag', stream: 'app', tag: 'b' });
    expect(store.state.streams).toEqual({});
    await store.close();
  });

  it('treats names such as __proto__ as ordinary keys', async () => {
    const store = await StateStore.open(path);
    await store.record(setTag('__proto__', 1, '__proto__'));
    await store.commit();
    const state = await readState(path);
    const streams = Object.entries(state!.streams);
    expect(streams.map(([name, stream]) => [name, Object.keys(stream.tags)])).toEqual([['__proto__', ['__proto__']]]);
  });
});

describe('StateStore.commit', () => {
  it('writes the state with serial + 1 and removes the journal', async () => {
    await writeState(path, { ...emptyState(), serial: 4 });
    const store = await StateStore.open(path);
    await store.record(setTag('t', 1));
    expect(await store.commit()).toBe(true);
    const state = await readState(path);
    expect(state).toEqual(store.state);
    expect(state!.serial).toBe(5);
    expect((await readdir(dir)).sort()).toEqual(['imagestreams.state.json', 'imagestreams.state.json.backup']);
  });

  it('increments serial once per commit that changed something', async () => {
    const store = await StateStore.open(path);
    await store.record(setTag('a', 1));
    await store.record(setTag('b', 2));
    await store.commit();
    expect((await readState(path))!.serial).toBe(1);
    await store.record(setTag('a', 3));
    await store.commit();
    expect((await readState(path))!.serial).toBe(2);
    expect(await store.commit()).toBe(false);
    await store.record(setTag('a', 3));
    expect(store.changed).toBe(false);
    expect(await store.commit()).toBe(false);
    expect((await readState(path))!.serial).toBe(2);
    expect(await readdir(dir)).not.toContain('imagestreams.state.json.journal');
  });

  it('writes nothing when nothing changed', async () => {
    const store = await StateStore.open(path);
    expect(await store.commit()).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('StateStore.record after the journal could not be written', () => {
  it('fails every later record the same way, without writing anything more', async () => {
    const store = await StateStore.open(path);
    await mkdir(journal);
    const failure = await store.record(setTag('a', 1)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StateError);
    await rm(journal, { recursive: true });
    await expect(store.record(setTag('b', 2))).rejects.toBe(failure);
    expect(await readdir(dir)).toEqual([]);
    expect(store.state.streams).toEqual({});
  });
});

describe('StateStore.close', () => {
  it('keeps what was recorded for the next open and refuses further changes', async () => {
    const store = await StateStore.open(path);
    await store.record(setTag('a', 1));
    await store.close();
    await expect(store.record(setTag('b', 2))).rejects.toThrow(
      `the state store of ${path} was closed without committing`,
    );
    await expect(store.commit()).rejects.toThrow(StateError);
    expect(await journalLines()).toHaveLength(1);
  });
});

describe('recovery from a journal left by a crash', () => {
  it('replays every recorded entry, presents serial + 1, and folds them in at commit', async () => {
    await writeState(path, { ...emptyState(), serial: 2 });
    await crashAfterRecording([setTag('a', 1), setTag('b', 2), { op: 'deleteTag', stream: 'app', tag: 'a' }]);

    const store = await StateStore.open(path);
    expect(store.recovered).toBe(3);
    expect(store.changed).toBe(true);
    expect(store.priorSerial).toBe(3);
    expect(store.state.streams).toEqual({ app: { tags: { b: tagState(2) } } });

    await store.commit();
    expect(await readState(path)).toEqual({ ...store.state, serial: 3 });
    expect(await readdir(dir)).not.toContain('imagestreams.state.json.journal');
  });

  it('recovers imports recorded before the first state file was ever written, with their lineage', async () => {
    const first = await StateStore.open(path);
    await first.record(setTag('a', 1));
    await first.close();

    const store = await StateStore.open(path);
    expect(store.state.lineage).toBe(first.state.lineage);
    expect(store.state.streams.app!.tags.a).toEqual(tagState(1));
    await store.commit();
    expect(await readState(path)).toMatchObject({ lineage: first.state.lineage, serial: 1 });
  });

  it('ignores a torn last line', async () => {
    await crashAfterRecording([setTag('a', 1), setTag('b', 2)]);
    const complete = await readFile(journal, 'utf8');
    await appendFile(journal, complete.slice(0, complete.indexOf('\n') - 10));

    const store = await StateStore.open(path);
    expect(store.recovered).toBe(2);
    expect(Object.keys(store.state.streams.app!.tags)).toEqual(['a', 'b']);
  });

  it.each([
    ['flipped character', (line: string) => line.replace('"tag":"a"', '"tag":"x"')],
    ['truncated line', (line: string) => line.slice(0, 40)],
  ])('refuses a journal damaged before its last line (%s)', async (_name, damage) => {
    await crashAfterRecording([setTag('a', 1), setTag('b', 2)]);
    const [first, second] = await journalLines();
    await writeFile(journal, `${damage(first!)}\n${second}\n`);
    await expect(StateStore.open(path)).rejects.toThrow(
      `state journal ${journal} is damaged at line 1 (${_name === 'flipped character' ? 'checksum mismatch' : 'not JSON'})`,
    );
  });

  it('refuses records of another lineage', async () => {
    await writeState(path, emptyState());
    await crashAfterRecording([setTag('a', 1)]);
    const other = emptyState();
    await writeState(path, other);
    await expect(StateStore.open(path)).rejects.toThrow(
      /belongs to another state \(lineage [0-9a-f-]+, while .* has lineage /,
    );
  });

  it('refuses a journal that continues a newer state than the file (state file restored or deleted)', async () => {
    const state = { ...emptyState(), serial: 4 };
    await writeState(path, state);
    await crashAfterRecording([setTag('a', 1)]);
    await writeState(path, { ...state, serial: 3 });
    await expect(StateStore.open(path)).rejects.toThrow(/continues serial 4 of the state, but .* has serial 3/);
    await rm(path);
    await expect(StateStore.open(path)).rejects.toThrow(/continues serial 4 of the state, but .* does not exist/);
  });

  it('ignores a journal already folded into the state file (crash between writing the state and removing the journal)', async () => {
    const store = await StateStore.open(path);
    await store.record(setTag('a', 1));
    await copyFile(journal, `${journal}.copy`);
    await store.commit();
    await copyFile(`${journal}.copy`, journal);
    await rm(`${journal}.copy`);

    const reopened = await StateStore.open(path);
    expect(reopened.changed).toBe(false);
    expect(reopened.priorSerial).toBe(1);
    await reopened.record(setTag('b', 2));
    expect(await journalLines()).toHaveLength(1);
    await reopened.commit();
    expect((await readState(path))!.serial).toBe(2);
  });

  it('commits the replayed journal before recording anything new, so each content has its own serial', async () => {
    await crashAfterRecording([setTag('a', 1)]);
    const store = await StateStore.open(path);
    expect(store.priorSerial).toBe(1);
    await store.record(setTag('b', 2));

    expect(await readState(path)).toMatchObject({ serial: 1, streams: { app: { tags: { a: tagState(1) } } } });
    const lines = await journalLines();
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ serial: 1, entry: { tag: 'b' } }]);
    expect(store.state.serial).toBe(2);
    await store.commit();
    expect((await readState(path))!.serial).toBe(2);
  });

  it('presents the file serial when the replayed entries change nothing', async () => {
    const store = await StateStore.open(path);
    await store.record(setTag('a', 1));
    await store.commit();
    await crashAfterRecording([setTag('a', 1)]);
    const reopened = await StateStore.open(path);
    expect(reopened.recovered).toBe(1);
    expect(reopened.changed).toBe(false);
    expect(reopened.priorSerial).toBe(1);
  });
});
