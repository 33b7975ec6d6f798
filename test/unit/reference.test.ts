import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../../src/core/errors.js';
import { formatReference, parseImageSource, parseReference } from '../../src/core/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    ['alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['alpine:3.20', { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }],
    ['library/alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['index.docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['bitnami/redis:7', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7' }],
    ['docker.io/bitnami/redis', { registry: 'docker.io', repository: 'bitnami/redis', tag: 'latest' }],
    ['quay.io/org/app:1.0', { registry: 'quay.io', repository: 'org/app', tag: '1.0' }],
    [
      'registry.access.redhat.com/ubi9/ubi',
      { registry: 'registry.access.redhat.com', repository: 'ubi9/ubi', tag: 'latest' },
    ],
    ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest' }],
    ['localhost:5000/a/b/c:v1', { registry: 'localhost:5000', repository: 'a/b/c', tag: 'v1' }],
    ['127.0.0.1:5000/app:x', { registry: '127.0.0.1:5000', repository: 'app', tag: 'x' }],
    ['[::1]:5000/app', { registry: '[::1]:5000', repository: 'app', tag: 'latest' }],
    ['Registry.Example/app', { registry: 'Registry.Example', repository: 'app', tag: 'latest' }],
    [`quay.io/org/app@${D}`, { registry: 'quay.io', repository: 'org/app', digest: D }],
    [`quay.io/org/app:1.0@${D}`, { registry: 'quay.io', repository: 'org/app', tag: '1.0', digest: D }],
    ['a/b__c/d-e/f.g_h:T_1.x-y', { registry: 'docker.io', repository: 'a/b__c/d-e/f.g_h', tag: 'T_1.x-y' }],
    ['example.com/a--b:1', { registry: 'example.com', repository: 'a--b', tag: '1' }],
  ])('parses %s', (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  it.each([
    ['', 'empty'],
    ['Alpine', 'lowercase'],
    ['quay.io/Org/app', 'lowercase'],
    ['quay.io/org/app:', 'invalid tag'],
    ['quay.io/org/app:-x', 'invalid tag'],
    [`quay.io/org/app:${'t'.repeat(129)}`, 'invalid tag'],
    ['quay.io/org/app@sha256:abc', 'invalid digest'],
    ['quay.io/org/app@md5:0123456789abcdef0123456789abcdef', 'invalid digest'],
    ['quay.io//app', 'empty path component'],
    ['quay.io/', 'empty'],
    ['quay.io/app_', 'invalid repository path component'],
    ['-bad.io/app', 'invalid registry host'],
    ['https://quay.io/app', 'scheme'],
    ['quay.io/app name', 'white space'],
    [`quay.io/${'a'.repeat(250)}`, 'longer than 255'],
  ])('refuses %j (%s)', (text, why) => {
    expect(() => parseReference(text)).toThrow(InvalidReferenceError);
    expect(() => parseReference(text)).toThrow(why);
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
    expect(formatReference(parseReference(`quay.io/a/b:1@${D}`))).toBe(`quay.io/a/b:1@${D}`);
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
