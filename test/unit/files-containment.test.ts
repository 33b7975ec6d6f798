import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AllowedDirectories, isWithin } from '../../src/files/allowed-directories.js';
import { realPathOf } from '../../src/files/real-path.js';

let root: string;
let catalogDir: string;
let outside: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'containment-')));
  catalogDir = join(root, 'catalog');
  outside = join(root, 'outside');
  mkdirSync(catalogDir);
  mkdirSync(outside);
  writeFileSync(join(catalogDir, 'file'), 'x');
  writeFileSync(join(outside, 'secret'), 'x');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('isWithin', () => {
  it.each([
    ['the directory itself', '/a/b', true],
    ['a file in it', '/a/b/c', true],
    ['a file deeper in it', '/a/b/c/d', true],
    ['a name that starts with two dots', '/a/b/..c', true],
    ['its parent', '/a', false],
    ['a sibling whose name starts the same', '/a/bc', false],
    ['a sibling', '/a/c/d', false],
    ['the root', '/', false],
  ])('%s', (_, path, within) => {
    expect(isWithin(path, '/a/b')).toBe(within);
  });
});

describe('realPathOf', () => {
  it('is realpath for what exists', () => {
    expect(realPathOf(join(catalogDir, 'file'))).toBe(join(catalogDir, 'file'));
  });

  it('places a missing file in the real place of its nearest existing ancestor', () => {
    symlinkSync(outside, join(catalogDir, 'dir-link'));
    expect(realPathOf(join(catalogDir, 'dir-link', 'new', 'file'))).toBe(join(outside, 'new', 'file'));
  });

  it('follows a link to a file', () => {
    symlinkSync(join(outside, 'secret'), join(catalogDir, 'link'));
    expect(realPathOf(join(catalogDir, 'link'))).toBe(join(outside, 'secret'));
  });

  it('follows a dangling link, and a chain of them, to where the target would be', () => {
    symlinkSync(join(outside, 'missing'), join(catalogDir, 'dangling'));
    symlinkSync('dangling', join(catalogDir, 'chain'));
    expect(realPathOf(join(catalogDir, 'dangling'))).toBe(join(outside, 'missing'));
    expect(realPathOf(join(catalogDir, 'chain'))).toBe(join(outside, 'missing'));
  });

  it('follows a dangling link to a directory in the middle of the path', () => {
    symlinkSync(join(outside, 'missing-dir'), join(catalogDir, 'dangling-dir'));
    expect(realPathOf(join(catalogDir, 'dangling-dir', 'state.json'))).toBe(join(outside, 'missing-dir', 'state.json'));
  });

  it('resolves .. lexically first, as the path would be opened', () => {
    expect(realPathOf(join(catalogDir, '..', 'outside', 'secret'))).toBe(join(outside, 'secret'));
  });

  it('throws ELOOP for links that lead to each other', () => {
    symlinkSync('b', join(catalogDir, 'a'));
    symlinkSync('a', join(catalogDir, 'b'));
    expect(() => realPathOf(join(catalogDir, 'a'))).toThrow(expect.objectContaining({ code: 'ELOOP' }));
  });
});

describe('AllowedDirectories', () => {
  const inCatalog = () => new AllowedDirectories([catalogDir]);

  it.each([
    ['a file in the directory', () => join(catalogDir, 'file')],
    ['a file not yet created', () => join(catalogDir, 'new', 'state.json')],
    ['the directory itself', () => catalogDir],
  ])('allows %s', (_, path) => {
    expect(inCatalog().check(path())).toEqual({ allowed: true, real: path() });
  });

  it('allows a link inside the directory to another place inside it, and says where it leads', () => {
    symlinkSync('file', join(catalogDir, 'alias'));
    expect(inCatalog().check(join(catalogDir, 'alias'))).toEqual({ allowed: true, real: join(catalogDir, 'file') });
  });

  it.each([
    ['.. out of the directory', () => join(catalogDir, '..', 'outside', 'secret')],
    ['an absolute path elsewhere', () => '/etc'],
    ['/proc/self, a link to the process', () => '/proc/self'],
    ['/dev/null', () => '/dev/null'],
  ])('refuses %s', (_, path) => {
    expect(inCatalog().check(path())).toMatchObject({ allowed: false });
  });

  it('refuses a link inside the directory that leads outside, existing or not', () => {
    symlinkSync(join(outside, 'secret'), join(catalogDir, 'to-secret'));
    symlinkSync(join(outside, 'missing'), join(catalogDir, 'to-missing'));
    symlinkSync(outside, join(catalogDir, 'to-dir'));
    const allowed = inCatalog();
    expect(allowed.check(join(catalogDir, 'to-secret'))).toEqual({ allowed: false, real: join(outside, 'secret') });
    expect(allowed.check(join(catalogDir, 'to-missing'))).toEqual({ allowed: false, real: join(outside, 'missing') });
    expect(allowed.check(join(catalogDir, 'to-dir', 'x'))).toEqual({ allowed: false, real: join(outside, 'x') });
  });

  it('refuses a path that cannot be followed, with the reason', () => {
    symlinkSync('loop', join(catalogDir, 'loop'));
    expect(inCatalog().check(join(catalogDir, 'loop'))).toMatchObject({
      allowed: false,
      real: undefined,
      error: expect.objectContaining({ code: 'ELOOP' }),
    });
  });

  it('allows exactly the other directories it is given, also when one is named through a link', () => {
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(outside, join(root, 'outside-link'));
    const allowed = new AllowedDirectories([catalogDir, join(root, 'outside-link')]);
    expect(allowed.check(join(outside, 'secret'))).toMatchObject({ allowed: true });
    expect(allowed.check(join(root, 'elsewhere', 'x'))).toMatchObject({ allowed: false });
    expect(allowed.check(root)).toMatchObject({ allowed: false });
  });
});
