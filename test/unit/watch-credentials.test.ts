import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/config/load-catalog.js';
import { CredentialsError } from '../../src/credentials/index.js';
import type { WatchEvent } from '../../src/engine/watch/events.js';
import { prepareWatch } from '../../src/operations/watch.js';
import { tempDir } from '../helpers/cli.js';
import { ManualClock, settle } from '../helpers/manual-clock.js';

const dir = tempDir('imagestreams-watch-credentials-');
afterEach(() => dir.remove());

const path = (name: string) => join(dir.path, name);
const RIGHT = 'pw-right-Hb7Kq2';
const WRONG = 'pw-wrong-Tr5Lw9';

/** Writes a docker config for registry.example with `password` beside `name`, then renames it over (a Secret swap). */
function writeAuthFile(name: string, password: string): void {
  const auth = Buffer.from(`robot:${password}`).toString('base64');
  writeFileSync(path(`${name}.tmp`), JSON.stringify({ auths: { 'registry.example': { auth } } }));
  renameSync(path(`${name}.tmp`), path(name));
}

/**
 * A watch (never checking: its clock does not move) of a catalog with a pull secret, given `--authfile auth.json`;
 * `spoil` changes the files before it starts.
 */
async function startWatch(spoil: () => void = () => {}) {
  mkdirSync(path('home/.docker'), { recursive: true });
  writeFileSync(path('home/.docker/config.json'), '{"auths": {}}');
  writeAuthFile('auth.json', WRONG);
  writeAuthFile('pull-secret.json', RIGHT);
  const catalog = [
    'apiVersion: imagestreams/v1',
    'kind: Catalog',
    'registries:',
    '  registry.example:',
    '    auth: {secret: pull-secret.json}',
    'streams: {app: {tags: {a: {from: registry.example/app:a, scheduled: true}}}}',
  ];
  writeFileSync(path('imagestreams.yaml'), `${catalog.join('\n')}\n`);
  spoil();
  const events: WatchEvent[] = [];
  const watchers = new Map<string, () => unknown>();
  const { watch } = await prepareWatch({
    loadCatalog: () => loadCatalog(path('imagestreams.yaml')),
    repositories: { env: {}, homeDir: path('home'), authFile: path('auth.json') },
    clock: new ManualClock(),
    importsPerMinute: 0,
    watchCatalog: (file, onChange) => {
      watchers.set(file, onChange);
      return () => watchers.delete(file);
    },
    onEvent: (event) => events.push(event),
  });
  const running = watch.run();
  while (!events.some((e) => e.type === 'started')) await settle();
  return {
    events,
    watchers,
    /** The watch of `name` reports a change, and the reload it causes is over. */
    changed: async (name: string) => {
      await watchers.get(path(name))?.();
      await settle();
    },
    stop: () => {
      watch.stop('test');
      return running;
    },
  };
}

describe('watch following its credentials files', () => {
  it('watches the pull secrets, the --authfile and the user’s auth files that exist or whose directory does', async () => {
    const w = await startWatch();
    expect([...w.watchers.keys()].sort()).toEqual(
      ['auth.json', 'home/.docker/config.json', 'home/.dockercfg', 'imagestreams.yaml', 'pull-secret.json'].map(path),
    );
    await w.stop();
    expect(w.watchers.size).toBe(0);
  });

  it('reloads when the --authfile holds new credentials, and not when it is only touched', async () => {
    const w = await startWatch();
    writeAuthFile('auth.json', RIGHT);
    await w.changed('auth.json');
    expect(w.events.filter((e) => e.type === 'catalog-reloaded')).toEqual([
      expect.objectContaining({ catalog: path('imagestreams.yaml'), credentials: [path('auth.json')] }),
    ]);
    utimesSync(path('auth.json'), new Date(), new Date());
    await w.changed('auth.json');
    await w.changed('pull-secret.json');
    expect(w.events.filter((e) => e.type === 'catalog-reloaded')).toHaveLength(1);
    await w.stop();
  });

  it('reports a credentials file that became invalid by its path, never its content, and keeps the last good one', async () => {
    const w = await startWatch();
    writeFileSync(path('pull-secret.json'), `{"auths": {"registry.example": {"auth": "${RIGHT}"`);
    await w.changed('pull-secret.json');
    const invalid = w.events.filter((e) => e.type === 'credentials-invalid');
    expect(invalid).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^pull-secret\.json:\d+:\d+: invalid JSON$/) }),
    ]);
    expect(JSON.stringify(w.events)).not.toContain(RIGHT);
    expect(w.events.map((e) => e.type)).not.toContain('catalog-reloaded');

    writeAuthFile('pull-secret.json', RIGHT.toUpperCase());
    await w.changed('pull-secret.json');
    expect(w.events.filter((e) => e.type === 'catalog-reloaded')).toEqual([
      expect.objectContaining({ credentials: [path('pull-secret.json')] }),
    ]);
    await w.stop();
  });

  it('reports a user’s auth file that became invalid as it reports a pull secret, and keeps the last good one', async () => {
    const w = await startWatch();
    writeFileSync(path('home/.docker/config.json'), `{"auths": {"registry.example": {"password": "${RIGHT}"`);
    await w.changed('home/.docker/config.json');
    expect(w.events.filter((e) => e.type === 'credentials-invalid')).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^docker config ~\/\.docker\/config\.json:\d+:\d+: invalid JSON$/),
      }),
    ]);
    expect(JSON.stringify(w.events)).not.toContain(RIGHT);
    expect(w.events.map((e) => e.type)).not.toContain('catalog-reloaded');

    writeAuthFile('home/.docker/config.json', RIGHT);
    await w.changed('home/.docker/config.json');
    expect(w.events.filter((e) => e.type === 'catalog-reloaded')).toEqual([
      expect.objectContaining({ credentials: [path('home/.docker/config.json')] }),
    ]);
    await w.stop();
  });

  it('takes a user’s auth file that is removed as a logout, not as an error', async () => {
    const w = await startWatch();
    rmSync(path('home/.docker/config.json'));
    await w.changed('home/.docker/config.json');
    expect(w.events.map((e) => e.type)).not.toContain('credentials-invalid');
    expect(w.events.filter((e) => e.type === 'catalog-reloaded')).toEqual([
      expect.objectContaining({ credentials: [path('home/.docker/config.json')] }),
    ]);
    await w.stop();
  });
});

describe('watch starting with a credentials file it cannot use', () => {
  it('does not start when the catalog’s pull secret cannot be parsed, naming it and never its content', async () => {
    const spoil = () => writeFileSync(path('pull-secret.json'), `{"auths": {"registry.example": {"auth": "${RIGHT}"`);
    const starting = startWatch(spoil);
    await expect(starting).rejects.toThrow(/^pull-secret\.json:\d+:\d+: invalid JSON$/);
    await expect(starting).rejects.toSatisfy((error: Error) => !error.message.includes(RIGHT));
  });

  it('does not start when the catalog’s pull secret is missing, naming it', async () => {
    await expect(startWatch(() => rmSync(path('pull-secret.json')))).rejects.toThrow(
      new CredentialsError('catalog secret pull-secret.json for registry.example: the file does not exist'),
    );
  });

  it('does not start when the --authfile cannot be parsed, naming it', async () => {
    await expect(startWatch(() => writeFileSync(path('auth.json'), '{"auths": '))).rejects.toThrow(
      /^--authfile .*auth\.json: invalid JSON$/,
    );
  });

  it('starts with a user’s auth file that cannot be parsed: it is read when first needed, as by plan', async () => {
    const w = await startWatch(() => writeFileSync(path('home/.docker/config.json'), '{"auths": '));
    expect(w.events.map((e) => e.type)).toEqual(['started']);
    await w.stop();
  });
});
