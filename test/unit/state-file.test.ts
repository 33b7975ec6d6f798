import { spawnSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/core/errors.js';
import { STATE_VERSION, type State, type TagState } from '../../src/core/state-model.js';
import { emptyState, readState, serializeState, writeState } from '../../src/state/index.js';
import type { StateMigration } from '../../src/state/migrations.js';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

function tagState(digest = DIGEST_A): TagState {
  return {
    spec: {
      from: 'registry.example/app:latest',
      importMode: 'PreserveOriginal',
      referencePolicy: 'Source',
      scheduled: true,
      insecure: false,
      preferPlatform: null,
    },
    items: [
      {
        created: '2026-01-02T03:04:05Z',
        generation: 1,
        digest,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        dockerImageReference: `registry.example/app@${digest}`,
        sourceDigest: digest,
        manifests: [
          {
            platform: 'linux/amd64',
            digest: DIGEST_B,
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            size: 1,
          },
        ],
      },
    ],
    conditions: [],
  };
}

function stateWith(tags: Record<string, TagState>): State {
  return { ...emptyState(), serial: 3, streams: { app: { tags } } };
}

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'state-file-'));
  path = join(dir, 'imagestreams.state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('emptyState', () => {
  it('starts at serial 0 of the current version with a fresh lineage each time', () => {
    const [first, second] = [emptyState(), emptyState()];
    expect(first).toMatchObject({ version: STATE_VERSION, serial: 0, streams: {} });
    expect(first.lineage).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(second.lineage).not.toBe(first.lineage);
  });
});

describe('serializeState', () => {
  it('sorts keys at every level, indents by 2 spaces and ends with a newline', () => {
    const state: State = { version: 1, streams: { b: { tags: {} }, a: { tags: {} } }, serial: 2, lineage: 'l' };
    expect(serializeState(state)).toBe(
      '{\n  "lineage": "l",\n  "serial": 2,\n  "streams": {\n    "a": {\n      "tags": {}\n    },\n' +
        '    "b": {\n      "tags": {}\n    }\n  },\n  "version": 1\n}\n',
    );
  });

  it('keeps the order of history items', () => {
    const older = tagState(DIGEST_B).items[0]!;
    const value = { ...tagState(), items: [tagState().items[0]!, older] };
    const text = serializeState(stateWith({ t: value }));
    expect(text.indexOf(`"digest": "${DIGEST_A}"`)).toBeLessThan(
      text.indexOf(`"dockerImageReference": "registry.example/app@${DIGEST_B}"`),
    );
  });
});

describe('writeState and readState', () => {
  it('round-trips a state, writing exactly its serialization', async () => {
    const state = stateWith({ latest: tagState() });
    await writeState(path, state);
    expect(await readFile(path, 'utf8')).toBe(serializeState(state));
    expect(await readState(path)).toEqual(state);
  });

  it('writes a state far larger than one write buffer, exactly its serialization', async () => {
    const tags = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`t${i}`, tagState()]));
    const state = stateWith(tags);
    await writeState(path, state);
    const text = await readFile(path, 'utf8');
    expect(text.length).toBeGreaterThan(1024 * 1024);
    expect(text).toBe(serializeState(state));
    expect(await readState(path)).toEqual(state);
  });

  it('reads a missing file as null', async () => {
    expect(await readState(join(dir, 'nothing.json'))).toBeNull();
  });

  it('leaves no temporary file behind', async () => {
    await writeState(path, stateWith({}));
    await writeState(path, stateWith({ latest: tagState() }));
    expect((await readdir(dir)).sort()).toEqual(['imagestreams.state.json', 'imagestreams.state.json.backup']);
  });

  it('keeps the replaced file as <path>.backup', async () => {
    const first = stateWith({});
    const second = { ...stateWith({ latest: tagState() }), serial: 4 };
    await writeState(path, first);
    await writeState(path, second);
    expect(await readFile(`${path}.backup`, 'utf8')).toBe(serializeState(first));
    expect(await readState(path)).toEqual(second);
  });

  it('keeps the mode of the file it replaces', async () => {
    await writeFile(path, serializeState(stateWith({})), { mode: 0o640 });
    await writeState(path, stateWith({ latest: tagState() }));
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it('refuses to write a state that would not read back, leaving the file as it was', async () => {
    const good = stateWith({});
    await writeState(path, good);
    const bad = stateWith({ latest: { ...tagState(), items: [{ ...tagState().items[0]!, digest: 'latest' }] } });
    await expect(writeState(path, bad)).rejects.toThrow(
      /\/streams\/app\/tags\/latest\/items\/0\/digest: must match pattern/,
    );
    expect(await readFile(path, 'utf8')).toBe(serializeState(good));
    expect(await readdir(dir)).toEqual(['imagestreams.state.json']);
  });
});

describe('readState refuses a bad file and leaves it untouched', () => {
  it.each([
    ['truncated JSON', '{"version": 1, "lineage": "x",', /state file .*imagestreams\.state\.json is corrupt: /],
    ['an empty file', '', /is corrupt: Unexpected end of JSON input/],
    ['a syntax error', '{\n  "version": 1,\n}\n', /is corrupt: .*\(line 3, column 1\)/],
    ['a JSON array', '[]', /is not a valid imagestreams state: expected a JSON object/],
    ['a missing field', '{"version": 1, "lineage": "x", "serial": 0}', /must have required property 'streams'/],
    ['a wrong type', '{"version": 1, "lineage": "x", "serial": "7", "streams": {}}', /\/serial: must be integer/],
    [
      'an unknown key',
      '{"version": 1, "lineage": "x", "serial": 0, "streams": {}, "extra": 1}',
      /unknown property "extra"/,
    ],
    ['a version that is not a number', '{"version": "1"}', /"version" must be a whole number/],
  ])('%s', async (_name, text, message) => {
    await writeFile(path, text);
    const error = await readState(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(path);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('points at the backup when there is one', async () => {
    await writeState(path, stateWith({}));
    await writeState(path, stateWith({ latest: tagState() }));
    await writeFile(path, '{');
    await expect(readState(path)).rejects.toThrow(`The previous state is in ${path}.backup.`);
  });

  it('refuses a state written by a newer version', async () => {
    const text = serializeState({ ...stateWith({}), version: STATE_VERSION + 1 });
    await writeFile(path, text);
    await expect(readState(path)).rejects.toThrow(
      `state file ${path} was written by a newer version of imagestreams (version ${STATE_VERSION + 1}); upgrade imagestreams`,
    );
    expect(await readFile(path, 'utf8')).toBe(text);
  });
});

describe('readState never shows what a file holds, and never blocks on one that is not a regular file', () => {
  it('leaves out the text V8 quotes around an unexpected token', async () => {
    await writeFile(path, 'root:x:0:0:root:/root:/bin/bash\n');
    await expect(readState(path)).rejects.toThrow(new StateError(`state file ${path} is corrupt: Unexpected token`));
  });

  it.each([
    ['a directory', async () => mkdir(path), 'it is a directory'],
    ['a FIFO', async () => void spawnSync('mkfifo', [path]), 'it is a FIFO'],
    ['a link to a device', async () => symlink('/dev/zero', path), 'it is a device'],
  ])('refuses %s', async (_name, make, why) => {
    await make();
    await expect(readState(path)).rejects.toThrow(`cannot read state file ${path}: ${why}`);
  });
});

describe('a state file that is a symbolic link is another name for its target', () => {
  let target: string;
  const first = stateWith({});
  beforeEach(async () => {
    await mkdir(join(dir, 'real'));
    target = join(dir, 'real', 'state.json');
    await writeState(target, first);
    await symlink(join('real', 'state.json'), path);
  });

  it('is read through the link', async () => {
    expect(await readState(path)).toEqual(first);
  });

  it('is written through the link, atomically, with the .backup beside the target; the link stays', async () => {
    const next = stateWith({ latest: tagState() });
    await writeState(path, next);
    expect(await readlink(path)).toBe(join('real', 'state.json'));
    expect(await readFile(target, 'utf8')).toBe(serializeState(next));
    expect(await readFile(`${target}.backup`, 'utf8')).toBe(serializeState(first));
    expect((await readdir(dir)).sort()).toEqual(['imagestreams.state.json', 'real']);
    expect((await readdir(join(dir, 'real'))).sort()).toEqual(['state.json', 'state.json.backup']);
  });

  it('creates the target of a dangling link', async () => {
    await rm(target);
    await writeState(path, first);
    expect(await readFile(target, 'utf8')).toBe(serializeState(first));
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
  });

  it('points at the backup beside the target when the target is corrupt', async () => {
    await writeState(path, stateWith({ latest: tagState() }));
    await writeFile(target, '{');
    await expect(readState(path)).rejects.toThrow(`The previous state is in ${target}.backup.`);
  });
});

describe('temp files a killed writer left', () => {
  it('are removed by the next write of the state (made under the state lock); other files are kept', async () => {
    const leftovers = ['.imagestreams.state.json.0123456789ab.tmp', '.imagestreams.state.json.backup.0123456789ab.tmp'];
    const kept = ['.imagestreams.state.json.notes.tmp', '.other.json.0123456789ab.tmp'];
    for (const name of [...leftovers, ...kept]) await writeFile(join(dir, name), 'partial');
    await writeState(path, stateWith({}));
    expect((await readdir(dir)).sort()).toEqual([...kept, 'imagestreams.state.json'].sort());
  });
});

describe('a .backup that is a symbolic link', () => {
  it('is replaced by the previous state; what it pointed to is left alone', async () => {
    const elsewhere = join(dir, 'elsewhere');
    await writeFile(elsewhere, 'precious');
    const first = stateWith({});
    await writeState(path, first);
    await symlink(elsewhere, `${path}.backup`);
    await writeState(path, stateWith({ latest: tagState() }));
    expect(await readFile(elsewhere, 'utf8')).toBe('precious');
    expect((await lstat(`${path}.backup`)).isFile()).toBe(true);
    expect(await readFile(`${path}.backup`, 'utf8')).toBe(serializeState(first));
  });
});

describe('migrations', () => {
  const legacy = { version: STATE_VERSION - 1, id: 'lineage-0', serial: 5, images: { app: { tags: {} } } };
  const renameFields: StateMigration = ({ id, images, ...rest }) => ({ ...rest, lineage: id, streams: images });

  it('brings an older state to the current version through the migration table', async () => {
    await writeFile(path, JSON.stringify(legacy));
    const migrations = new Map([[STATE_VERSION - 1, renameFields]]);
    expect(await readState(path, { migrations })).toEqual({
      version: STATE_VERSION,
      lineage: 'lineage-0',
      serial: 5,
      streams: { app: { tags: {} } },
    });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(legacy);
  });

  it('validates what a migration produced', async () => {
    await writeFile(path, JSON.stringify(legacy));
    const migrations = new Map<number, StateMigration>([[STATE_VERSION - 1, (s) => s]]);
    await expect(readState(path, { migrations })).rejects.toThrow(/unknown property "id"/);
  });

  it('refuses an older version that no migration reads', async () => {
    await writeFile(path, JSON.stringify(legacy));
    await expect(readState(path)).rejects.toThrow(
      `state file ${path} has version ${STATE_VERSION - 1}, which this version of imagestreams cannot migrate to version ${STATE_VERSION}`,
    );
  });
});
