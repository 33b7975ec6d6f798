import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import { CatalogError } from '../../src/core/errors.js';

const HEAD = 'apiVersion: imagestreams/v1\nkind: Catalog\n';
const ONE_TAG = 'streams:\n  app:\n    tags:\n      v1:\n        from: alpine\n';
const ALLOW_HINT =
  'a catalog may only name paths inside its own directory, unless the command line allows another with --allow-path DIR';

let root: string;
let dir: string;
let outside: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'config-paths-')));
  dir = join(root, 'catalog');
  outside = join(root, 'outside');
  mkdirSync(join(dir, 'certs'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(dir, 'certs', 'ca.pem'), 'not read');
  writeFileSync(join(outside, 'ca.pem'), 'not read');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function parse(text: string, allowedPaths?: string[]) {
  return parseCatalog(`${HEAD}${text}`, join(dir, 'c.yaml'), {
    displayPath: 'c.yaml',
    ...(allowedPaths && { allowedPaths }),
  });
}

function problems(text: string, allowedPaths?: string[]): string[] {
  try {
    parse(text, allowedPaths);
  } catch (error) {
    if (error instanceof CatalogError) return error.message.split('\n');
    throw error;
  }
  return [];
}

function outsideError(at: string, subject: string, path: string): string {
  return `c.yaml:${at}: error: ${subject}: ${path} is outside the catalog's directory ${dir}; ${ALLOW_HINT}`;
}

describe("paths in a catalog stay inside the catalog's directory", () => {
  it.each([
    [
      'an oci: source up two directories',
      'streams:\n  app:\n    tags:\n      v1:\n        from: oci:../../outside/layout\n',
      '7:15',
      '"from" in streams.app.tags.v1',
      () => join(root, '..', 'outside', 'layout'),
    ],
    [
      'an absolute oci: source',
      'streams:\n  app:\n    tags:\n      v1:\n        from: oci:/etc:x\n',
      '7:15',
      '"from" in streams.app.tags.v1',
      () => '/etc',
    ],
    [
      'the state up one directory',
      `state: ../outside/x.json\n${ONE_TAG}`,
      '3:8',
      '"state"',
      () => join(outside, 'x.json'),
    ],
    [
      'local.layout up one directory',
      `local:\n  layout: ../outside/store\n${ONE_TAG}`,
      '4:11',
      '"layout" in local',
      () => join(outside, 'store'),
    ],
    [
      'a registry CA elsewhere',
      `registries:\n  quay.io:\n    ca: ${join('..', 'outside', 'ca.pem')}\n${ONE_TAG}`,
      '5:9',
      '"ca" in registries.quay.io',
      () => join(outside, 'ca.pem'),
    ],
    [
      'a pull secret elsewhere',
      `registries:\n  quay.io:\n    auth:\n      secret: /etc/shadow\n${ONE_TAG}`,
      '6:15',
      '"secret" in registries.quay.io.auth',
      () => '/etc/shadow',
    ],
    [
      'a client certificate elsewhere',
      `registries:\n  quay.io:\n    clientCert: /etc/ssl/cert.pem\n    clientKey: certs/ca.pem\n${ONE_TAG}`,
      '5:17',
      '"clientCert" in registries.quay.io',
      () => '/etc/ssl/cert.pem',
    ],
  ])('refuses %s, at its file:line:column, naming --allow-path', (_, text, at, subject, path) => {
    expect(problems(text)).toEqual([outsideError(at, subject, path())]);
  });

  it.each([
    ['/proc/self', 'oci:/proc/self:x'],
    ['/dev/stdin', 'oci:/dev/stdin'],
  ])('refuses %s, which leads elsewhere through a link, saying where', (path, from) => {
    const [message] = problems(`streams:\n  app:\n    tags:\n      v1:\n        from: ${from}\n`);
    expect(message).toMatch(
      new RegExp(
        `^c\\.yaml:7:15: error: "from" in streams\\.app\\.tags\\.v1: ${path} (is|leads through a symbolic link to \\S+,) outside the catalog's directory`,
      ),
    );
  });

  it('refuses a link inside the directory that leads outside it', () => {
    symlinkSync(outside, join(dir, 'store'));
    expect(problems(`local:\n  layout: store\n${ONE_TAG}`)).toEqual([
      `c.yaml:4:11: error: "layout" in local: ${join(dir, 'store')} leads through a symbolic link to ${outside}, outside the catalog's directory ${dir}; ${ALLOW_HINT}`,
    ]);
  });

  it('refuses the default state file when it is a link that leads outside, located at the start of the catalog', () => {
    symlinkSync(join(outside, 'state.json'), join(dir, 'imagestreams.state.json'));
    expect(problems(ONE_TAG)).toEqual([
      `c.yaml:1:1: error: the state file (by default imagestreams.state.json): ${join(dir, 'imagestreams.state.json')} leads through a symbolic link to ${join(outside, 'state.json')}, outside the catalog's directory ${dir}; ${ALLOW_HINT}`,
    ]);
  });

  it('says a path that cannot be followed cannot be', () => {
    symlinkSync('loop', join(dir, 'loop'));
    expect(problems(`state: loop\n${ONE_TAG}`)).toEqual([
      `c.yaml:3:8: error: "state": ${join(dir, 'loop')} cannot be followed (too many symbolic links)`,
    ]);
  });

  it('looks no further at a file outside: no "does not exist" for a missing one', () => {
    expect(problems(`registries:\n  quay.io:\n    ca: ../outside/missing.pem\n${ONE_TAG}`)).toEqual([
      outsideError('5:9', '"ca" in registries.quay.io', join(outside, 'missing.pem')),
    ]);
  });

  it('accepts paths inside, and a state that is a link inside the directory is its target', () => {
    writeFileSync(join(dir, 'real-state.json'), '{}');
    symlinkSync('real-state.json', join(dir, 'state-link.json'));
    const catalog = parse(
      `state: state-link.json\nlocal:\n  layout: .imagestreams/store\nregistries:\n  quay.io:\n    ca: certs/ca.pem\nstreams:\n  app:\n    tags:\n      v1:\n        from: oci:images/app:1\n`,
    );
    expect(catalog.statePath).toBe(join(dir, 'real-state.json'));
    expect(catalog.local?.layout).toBe(join(dir, '.imagestreams', 'store'));
    expect(catalog.registries[0]?.ca).toBe(join(dir, 'certs', 'ca.pem'));
    expect(catalog.tags[0]?.source).toMatchObject({ transport: 'layout', ref: { path: join(dir, 'images', 'app') } });
  });
});

describe('allowedPaths (--allow-path on the command line)', () => {
  it('allows exactly the directories given, and only those', () => {
    const text = `state: ../outside/x.json\nlocal:\n  layout: ../elsewhere/store\n${ONE_TAG}`;
    expect(problems(text, [outside])).toEqual([
      outsideError('5:11', '"layout" in local', join(root, 'elsewhere', 'store')),
    ]);
    expect(parse(text, [outside, join(root, 'elsewhere')]).statePath).toBe(join(outside, 'x.json'));
  });

  it('allows a link inside the catalog directory that leads into an allowed directory', () => {
    symlinkSync(outside, join(dir, 'store'));
    expect(parse(`local:\n  layout: store\n${ONE_TAG}`, [outside]).local?.layout).toBe(join(dir, 'store'));
  });

  it('is not needed for a state file given on the command line (--state), wherever it is', () => {
    const catalog = parseCatalog(`${HEAD}state: ../outside/x.json\n${ONE_TAG}`, join(dir, 'c.yaml'), {
      statePathOverride: '/var/lib/imagestreams/state.json',
    });
    expect(catalog.statePath).toBe('/var/lib/imagestreams/state.json');
  });
});

describe('the default local store, .imagestreams/store beside the catalog', () => {
  const LOCAL_TAG = 'streams:\n  app:\n    tags:\n      v1:\n        from: alpine\n        referencePolicy: Local\n';
  const unusable = (at: string, why: string) =>
    `c.yaml:${at}: error: referencePolicy Local mirrors into .imagestreams/store when the catalog has no "local" section, but ${why}: remove it, or name a store with local.layout or local.registry`;

  it('is the catalog’s local store when it has no local section, whether or not the directories exist yet', () => {
    expect(parse(LOCAL_TAG).local).toEqual({ layout: join(dir, '.imagestreams', 'store'), noLinksBelow: dir });
    mkdirSync(join(dir, '.imagestreams', 'store'), { recursive: true });
    expect(parse(ONE_TAG).local).toEqual({ layout: join(dir, '.imagestreams', 'store'), noLinksBelow: dir });
  });

  it.each([
    [
      '.imagestreams',
      'outside',
      '.imagestreams is a symbolic link, and the default store is never reached through one',
    ],
    ['.imagestreams', 'inside', '.imagestreams is a symbolic link, and the default store is never reached through one'],
    [
      '.imagestreams/store',
      'outside',
      '.imagestreams/store is a symbolic link, and the default store is never reached through one',
    ],
  ])('is refused for a Local tag when %s is a link (to a directory %s), wherever it leads', (link, where, why) => {
    const target = where === 'outside' ? outside : join(dir, 'elsewhere');
    mkdirSync(target, { recursive: true });
    if (link.includes('/')) mkdirSync(join(dir, '.imagestreams'));
    symlinkSync(target, join(dir, link));
    expect(problems(LOCAL_TAG)).toEqual([unusable('8:26', why)]);
    expect(problems(`defaults:\n  referencePolicy: Local\n${ONE_TAG}`)).toEqual([unusable('4:20', why)]);
  });

  it('is refused for a Local tag when .imagestreams is a file', () => {
    writeFileSync(join(dir, '.imagestreams'), '');
    expect(problems(LOCAL_TAG)).toEqual([unusable('8:26', '.imagestreams is not a directory')]);
  });

  it('matters only to Local tags, and not at all when the catalog names its own store', () => {
    symlinkSync(outside, join(dir, '.imagestreams'));
    const catalog = parse(ONE_TAG);
    expect(catalog.local).toBeUndefined();
    const own = parse(`local:\n  layout: mirror\n${LOCAL_TAG}`);
    expect(own.local).toEqual({ layout: join(dir, 'mirror') });
  });
});
