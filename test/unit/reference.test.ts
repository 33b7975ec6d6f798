import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../../src/core/errors.js';
import { formatReference, parseImageSource, parseReference } from '../../src/core/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

/** What parseReference makes of `text`, fully qualified. */
const canonical = (text: string) => formatReference(parseReference(text));
const F64 = `sha256:${'f'.repeat(64)}`;
const HEX64 = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';

describe('parseReference reads what distribution/reference parses (its test tables)', () => {
  it.each([
    ['test_com', 'docker.io/library/test_com:latest'],
    ['test.com:tag', 'docker.io/library/test.com:tag'],
    ['test.com:5000', 'docker.io/library/test.com:5000'],
    ['test.com/repo:tag', 'test.com/repo:tag'],
    ['test:5000/repo', 'test:5000/repo:latest'],
    ['test:5000/repo:tag', 'test:5000/repo:tag'],
    [`test:5000/repo@${F64}`, `test:5000/repo@${F64}`],
    [`test:5000/repo:tag@${F64}`, `test:5000/repo@${F64}`],
    ['lowercase:Uppercase', 'docker.io/library/lowercase:Uppercase'],
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, `docker.io/${'a/'.repeat(127)}a:tag-puts-this-over-max`],
    [`example.com/${'a'.repeat(255)}:tag`, `example.com/${'a'.repeat(255)}:tag`],
    ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com/bar/baz/quux:latest'],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux:some-long-tag'],
    ['b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io/test.example.com/my-app:test.example.com'],
    ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage:xn--n3h.com'],
    [`xn--7o8h.com/myimage:xn--7o8h.com@${F64}`, `xn--7o8h.com/myimage@${F64}`],
    ['foo_bar.com:8080', 'docker.io/library/foo_bar.com:8080'],
    ['foo/foo_bar.com:8080', 'docker.io/foo/foo_bar.com:8080'],
    ['192.168.1.1', 'docker.io/library/192.168.1.1:latest'],
    ['192.168.1.1:tag', 'docker.io/library/192.168.1.1:tag'],
    ['192.168.1.1:5000', 'docker.io/library/192.168.1.1:5000'],
    ['192.168.1.1/repo', '192.168.1.1/repo:latest'],
    ['192.168.1.1:5000/repo', '192.168.1.1:5000/repo:latest'],
    ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000/repo:5050'],
    ['[2001:db8::1]/repo', '[2001:db8::1]/repo:latest'],
    ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]/repo:tag'],
    ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000/repo:latest'],
    ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000/repo:tag'],
    [`[2001:db8::1]:5000/repo@${F64}`, `[2001:db8::1]:5000/repo@${F64}`],
    [`[2001:db8::1]:5000/repo:tag@${F64}`, `[2001:db8::1]:5000/repo@${F64}`],
    ['[2001:db8::]:5000/repo', '[2001:db8::]:5000/repo:latest'],
    ['[::1]:5000/repo', '[::1]:5000/repo:latest'],
  ])('%s → %s', (text, expected) => {
    expect(canonical(text)).toBe(expected);
  });

  it.each([
    ['', 'reference is empty'],
    [':justtag', 'empty path component'],
    [`@${F64}`, 'empty path component'],
    ['repo@sha256:ffffffffffffffffffffffffffffffffff', 'a sha256 digest has 64 hex digits, not 34'],
    [`validname@invaliddigest:${'f'.repeat(64)}`, 'unsupported digest algorithm "invaliddigest"'],
    ['Uppercase:tag', 'must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'must be lowercase'],
    [`domain/${'a'.repeat(256)}:tag`, 'repository path is 263 characters long; at most 255'],
    ['aa/asdf$$^/aa', 'invalid repository path component "asdf$$^"'],
    ['[2001:db8::1]', 'invalid repository path component'],
    ['[2001:db8::1]:5000', 'invalid repository path component'],
    ['[2001:db8::1]:tag', 'invalid repository path component'],
    ['[fe80::1%eth0]:5000/repo', 'invalid registry host "[fe80::1%eth0]:5000"'],
    ['[fe80::1%@invalidzone]:5000/repo', 'invalid registry host'],
  ])('refuses %j: %s', (text, why) => {
    expect(() => parseReference(text)).toThrow(InvalidReferenceError);
    expect(() => parseReference(text)).toThrow(why);
  });

  it.each([
    'docker/docker',
    'library/debian',
    'debian',
    'localhost/library/debian',
    'localhost/debian',
    'LOCALDOMAIN/library/debian',
    'LOCALDOMAIN/debian',
    'docker.io/docker/docker',
    'docker.io/library/debian',
    'docker.io/debian',
    'index.docker.io/docker/docker',
    'index.docker.io/library/debian',
    'index.docker.io/debian',
    '127.0.0.1:5000/docker/docker',
    '127.0.0.1:5000/library/debian',
    '127.0.0.1:5000/debian',
    '192.168.0.1',
    '192.168.0.1:80',
    '192.168.0.1:8/debian',
    '192.168.0.2:25000/debian',
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    '[fc00::1]:5000/docker',
    '[fc00::1]:5000/docker/docker',
    '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    `docker.io/${HEX64}`,
    'Docker/docker',
    'DOCKER/docker',
    'docker-rules/docker',
    'docker---rules/docker',
    'doc/docker',
    'd/docker',
    'jess/t',
    'dock__er/docker',
  ])('accepts the repository name %s', (text) => {
    expect(() => parseReference(text)).not.toThrow();
  });

  it.each([
    'https://github.com/docker/docker',
    'docker/Docker',
    '-docker',
    '-docker/docker',
    '-docker.io/docker/docker',
    'docker///docker',
    'docker.io/docker/Docker',
    'docker.io/docker///docker',
    '[fc00::1]',
    '[fc00::1]:5000',
    'fc00::1:5000/debian',
    '[fe80::1%eth0]:5000/debian',
    '[2001:db8:3:4::192.0.2.33]:5000/debian',
    HEX64,
    'docker-/docker',
    '-docker-/docker',
    '____/____',
    '_docker/_docker',
    'dock..er/docker',
    'dock_.er/docker',
    'dock-.er/docker',
    'docker/',
    `${'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(4)}/docker`,
  ])('refuses the repository name %s', (text) => {
    expect(() => parseReference(text)).toThrow(InvalidReferenceError);
  });

  it('refuses a name of 64 hex digits as ambiguous with an image ID, and accepts one digit less', () => {
    expect(() => parseReference(HEX64)).toThrow('cannot be told from an image ID; write docker.io/library/NAME');
    expect(canonical(HEX64.slice(1))).toBe(`docker.io/library/${HEX64.slice(1)}:latest`);
    expect(canonical('dbcc1')).toBe('docker.io/library/dbcc1:latest');
  });

  it.each([
    // [written forms, registry, repository]
    [['localhost/fooo'], 'localhost', 'fooo'],
    [['localhost/fooo/bar'], 'localhost', 'fooo/bar'],
    [['LOCALDOMAIN/fooo'], 'LOCALDOMAIN', 'fooo'],
    [['LOCALDOMAIN/fooo/bar'], 'LOCALDOMAIN', 'fooo/bar'],
    [['fooo/bar', 'docker.io/fooo/bar', 'index.docker.io/fooo/bar'], 'docker.io', 'fooo/bar'],
    [['ubuntu', 'docker.io/library/ubuntu', 'library/ubuntu'], 'docker.io', 'library/ubuntu'],
    [['nonlibrary/ubuntu', 'docker.io/nonlibrary/ubuntu'], 'docker.io', 'nonlibrary/ubuntu'],
    [['other/library', 'docker.io/other/library'], 'docker.io', 'other/library'],
    [['127.0.0.1:8000/private/moonbase'], '127.0.0.1:8000', 'private/moonbase'],
    [['127.0.0.1:8000/privatebase'], '127.0.0.1:8000', 'privatebase'],
    [['example.com/private/moonbase'], 'example.com', 'private/moonbase'],
    [['example.com/privatebase'], 'example.com', 'privatebase'],
    [['example.com:8000/private/moonbase'], 'example.com:8000', 'private/moonbase'],
    [['example.com:8000/privatebasee'], 'example.com:8000', 'privatebasee'],
    [
      ['ubuntu-12.04-base', 'docker.io/library/ubuntu-12.04-base', 'index.docker.io/library/ubuntu-12.04-base'],
      'docker.io',
      'library/ubuntu-12.04-base',
    ],
    [['foo', 'docker.io/library/foo', 'docker.io/foo'], 'docker.io', 'library/foo'],
    [['library/foo/bar', 'docker.io/library/foo/bar'], 'docker.io', 'library/foo/bar'],
    [['store/foo/bar', 'docker.io/store/foo/bar'], 'docker.io', 'store/foo/bar'],
    [['Foo/bar'], 'Foo', 'bar'],
    [['FOO/bar'], 'FOO', 'bar'],
    [['test.com/foo'], 'test.com', 'foo'],
    [['test_com/foo'], 'docker.io', 'test_com/foo'],
    [['docker/migrator'], 'docker.io', 'docker/migrator'],
    [['test.com:8080/foo'], 'test.com:8080', 'foo'],
    [['test-com:8080/foo'], 'test-com:8080', 'foo'],
    [['xn--n3h.com/foo'], 'xn--n3h.com', 'foo'],
    [['xn--n3h.com:18080/foo'], 'xn--n3h.com:18080', 'foo'],
  ])('normalises %j to registry %s, repository %s', (forms, registry, repository) => {
    for (const text of forms) expect(parseReference(text)).toEqual({ registry, repository, tag: 'latest' });
  });

  const BUSYBOX = `sha256:${'e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582'}`;
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:latest', 'docker.io/library/busybox:latest'],
    [`busybox@${BUSYBOX}`, `docker.io/library/busybox@${BUSYBOX}`],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox:latest', 'docker.io/library/busybox:latest'],
    ['library/busybox:latest', 'docker.io/library/busybox:latest'],
    ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest'],
    ['gcr.io/library/busybox', 'gcr.io/library/busybox:latest'],
    [`gcr.io/library/busybox:latest@${BUSYBOX}`, `gcr.io/library/busybox@${BUSYBOX}`],
    [`busybox:latest@${BUSYBOX}`, `docker.io/library/busybox@${BUSYBOX}`],
  ])('as ParseDockerRef: %s → %s', (text, expected) => {
    expect(canonical(text)).toBe(expected);
    expect(canonical(expected)).toBe(expected);
  });

  it('keeps only the digest of name:tag@digest', () => {
    expect(parseReference(`quay.io/org/app:1.0@${D}`)).toEqual({
      registry: 'quay.io',
      repository: 'org/app',
      digest: D,
    });
  });
});

describe('parseReference: where it departs from distribution/reference, on purpose', () => {
  it('accepts sha512 digests, which registries serve (the Go library only when crypto/sha512 is linked)', () => {
    const digest = `sha512:${'f'.repeat(128)}`;
    expect(parseReference(`validname@${digest}`)).toEqual({
      registry: 'docker.io',
      repository: 'library/validname',
      digest,
    });
  });

  it('refuses other digest algorithms, sha384 included', () => {
    expect(() => parseReference(`app@sha384:${'f'.repeat(96)}`)).toThrow('unsupported digest algorithm "sha384"');
  });

  it('refuses a first component it takes for a host but that is no host name, which the Go library keeps without a registry', () => {
    expect(() => parseReference('foo_bar.com/repo')).toThrow('invalid registry host "foo_bar.com"');
  });
});

describe('parseReference: our own refusals and messages', () => {
  it.each([
    ['alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['alpine:3.20', { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }],
    ['index.docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['bitnami/redis:7', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7' }],
    ['quay.io/org/app:1.0', { registry: 'quay.io', repository: 'org/app', tag: '1.0' }],
    ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest' }],
    ['localhost:5000/a/b/c:v1', { registry: 'localhost:5000', repository: 'a/b/c', tag: 'v1' }],
    ['Registry.Example/app', { registry: 'Registry.Example', repository: 'app', tag: 'latest' }],
    [`quay.io/org/app@${D}`, { registry: 'quay.io', repository: 'org/app', digest: D }],
    ['a/b__c/d-e/f.g_h:T_1.x-y', { registry: 'docker.io', repository: 'a/b__c/d-e/f.g_h', tag: 'T_1.x-y' }],
    [`quay.io/app:${'t'.repeat(128)}`, { registry: 'quay.io', repository: 'app', tag: 't'.repeat(128) }],
  ])('parses %s', (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  it.each([
    ['quay.io/Org/app', 'repository name must be lowercase ("Org")'],
    ['quay.io/org/app:', 'invalid tag ""'],
    ['quay.io/org/app:-x', 'invalid tag "-x": a tag is 1 to 128 letters'],
    [`quay.io/org/app:${'t'.repeat(129)}`, 'invalid tag'],
    ['quay.io/org/app@sha256:abc', 'invalid digest "sha256:abc": expected ALGORITHM:HEX'],
    [`quay.io/org/app@sha256:${'A'.repeat(64)}`, 'the hex digits of a digest are lowercase'],
    ['quay.io/org/app@md5:0123456789abcdef0123456789abcdef', 'unsupported digest algorithm "md5"'],
    [`quay.io/app@constructor:${'f'.repeat(64)}`, 'unsupported digest algorithm "constructor"'],
    ['quay.io//app', 'empty path component'],
    ['quay.io/', 'repository name is empty'],
    ['quay.io/app_', 'invalid repository path component "app_"'],
    ['-bad.io/app', 'invalid registry host "-bad.io"'],
    ['quay.io:port/app', 'invalid registry host "quay.io:port"'],
    ['https://quay.io/app', 'scheme'],
    ['quay.io/app name', 'white space'],
    [`quay.io/${'a'.repeat(256)}`, 'repository path is 256 characters long'],
    [`${'a'.repeat(248)}`, 'repository path is 256 characters long'],
  ])('refuses %j (%s)', (text, why) => {
    expect(() => parseReference(text)).toThrow(InvalidReferenceError);
    expect(() => parseReference(text)).toThrow(why);
  });

  it('counts only the path against the 255 characters, as distribution/reference v0.6 does', () => {
    expect(parseReference(`quay.io/${'a'.repeat(255)}`).repository).toHaveLength(255);
    expect(parseReference('a'.repeat(247)).repository).toHaveLength(255);
  });

  it.each([
    ['a 600 KB reference', `quay.io/org/app:${'v'.repeat(600_000)}`, 600_016],
    ['a long invalid tag', `quay.io/org/app:-${'v'.repeat(5_000)}`, 5_001],
    ['a long path component', `quay.io/${'a_'.repeat(2_500)}/app`, 5_000],
  ])('repeats at most 200 characters of each input it quotes: %s', (_name, text, longest) => {
    let message = '';
    try {
      parseReference(text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid image reference "quay\.io\/.{192}"… \(\d+ characters\): /);
    expect(message.length).toBeLessThan(600);
    expect(message).toContain(`(${longest} characters)`);
  });

  it('formats back to the fully qualified form', () => {
    expect(formatReference(parseReference('alpine'))).toBe('docker.io/library/alpine:latest');
    expect(formatReference(parseReference(`quay.io/a/b:1@${D}`))).toBe(`quay.io/a/b@${D}`);
  });
});

describe('parseImageSource', () => {
  it.each([
    ['oci:examples/images/demo:1.0', { path: 'examples/images/demo', tag: '1.0' }],
    ['oci:examples/images/demo', { path: 'examples/images/demo' }],
    ['oci:/abs/dir:latest', { path: '/abs/dir', tag: 'latest' }],
    [`oci:dir@${D}`, { path: 'dir', digest: D }],
    ['oci:./dir.v2/x:tag', { path: './dir.v2/x', tag: 'tag' }],
  ])('reads the OCI layout form %s', (text, ref) => {
    expect(parseImageSource(text)).toEqual({ transport: 'layout', ref });
  });

  it('reads registry references, with or without docker://', () => {
    expect(parseImageSource('docker://alpine')).toEqual({ transport: 'registry', ref: parseReference('alpine') });
    expect(parseImageSource('quay.io/a/b')).toEqual({ transport: 'registry', ref: parseReference('quay.io/a/b') });
  });

  it.each(['oci:', 'oci::tag', 'oci:dir@sha256:zz'])('refuses %j', (text) => {
    expect(() => parseImageSource(text)).toThrow(InvalidReferenceError);
  });
});
