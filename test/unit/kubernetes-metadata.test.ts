import { describe, expect, it } from 'vitest';
import {
  ANNOTATIONS_SIZE_LIMIT,
  annotationKeyProblem,
  annotationsSizeProblem,
  labelKeyProblem,
  labelValueProblem,
} from '../../src/core/kubernetes-metadata.js';

const NAME_RULE = "letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
const LOWERCASE_PREFIX =
  "the prefix is not a DNS subdomain (lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit)";

describe('label keys: an optional DNS subdomain prefix and "/", then a name, as Kubernetes checks them', () => {
  it.each([
    'app',
    'App.Name_1-x',
    'a',
    'example.com/app',
    'app.kubernetes.io/name',
    'kubernetes.io/arch',
    'k8s.io/x',
    '1.2.3/4',
    `${'n'.repeat(63)}`,
    `${'p'.repeat(63)}.${'q'.repeat(63)}.${'r'.repeat(63)}.${'s'.repeat(61)}/${'n'.repeat(63)}`,
  ])('accepts %s', (key) => {
    expect(labelKeyProblem(key)).toBeUndefined();
  });

  it.each([
    ['a\u0000b', `the name is not ${NAME_RULE}`],
    ['a\nb', `the name is not ${NAME_RULE}`],
    ['app\n', `the name is not ${NAME_RULE}`],
    ['has space', `the name is not ${NAME_RULE}`],
    ['-app', `the name is not ${NAME_RULE}`],
    ['app_', `the name is not ${NAME_RULE}`],
    ['ünï', `the name is not ${NAME_RULE}`],
    ['', 'the name is empty'],
    ['example.com/', 'the name is empty'],
    ['/app', "the prefix before '/' is empty"],
    ['a/b/c', "it holds more than one '/'"],
    ['Example.com/app', LOWERCASE_PREFIX],
    ['example..com/app', LOWERCASE_PREFIX],
    ['-example.com/app', LOWERCASE_PREFIX],
    ['example_com/app', LOWERCASE_PREFIX],
    [`${'n'.repeat(64)}`, 'the name is longer than 63 characters'],
    [
      `${'p'.repeat(63)}.${'q'.repeat(63)}.${'r'.repeat(63)}.${'s'.repeat(62)}/app`,
      'the prefix is longer than 253 characters',
    ],
    ['/', "the prefix before '/' is empty, and the name is empty"],
  ])('refuses %j: %s', (key, problem) => {
    expect(labelKeyProblem(key)).toBe(problem);
  });
});

describe('annotation keys: label keys, whatever their case', () => {
  it.each([
    'Example.COM/Display-Name',
    'openshift.io/display-name',
    'kubernetes.io/description',
    '\u212aubernetes.io/x',
  ])('accepts %s', (key) => {
    expect(annotationKeyProblem(key)).toBeUndefined();
  });

  it.each([
    ['bad key', `the name is not ${NAME_RULE}`],
    ['a\u0000b', `the name is not ${NAME_RULE}`],
    ['example.com/a\nb', `the name is not ${NAME_RULE}`],
    [
      'exa mple.com/x',
      "the prefix is not a DNS subdomain (letters, digits, '-' and '.', each part starting and ending with a letter or digit)",
    ],
    [`example.com/${'n'.repeat(64)}`, 'the name is longer than 63 characters'],
  ])('refuses %j: %s', (key, problem) => {
    expect(annotationKeyProblem(key)).toBe(problem);
  });
});

describe('label values: empty, or at most 63 characters of a name', () => {
  it.each(['', 'v1.2.3', 'a', 'A_b-c.D', 'x'.repeat(63)])('accepts %j', (value) => {
    expect(labelValueProblem(value)).toBeUndefined();
  });

  it.each(['has space', 'x'.repeat(64), '-x', 'x.', 'a\u0000', 'ü', 'a/b'])('refuses %j', (value) => {
    expect(labelValueProblem(value)).toBe(`it must be empty or at most 63 ${NAME_RULE}`);
  });
});

describe('annotations together: at most 256 KiB of keys and values, counted in UTF-8 bytes', () => {
  it('accepts exactly the limit', () => {
    expect(annotationsSizeProblem({ k: 'v'.repeat(ANNOTATIONS_SIZE_LIMIT - 1) })).toBeUndefined();
  });

  it('refuses one byte more, counting keys too', () => {
    expect(annotationsSizeProblem({ k: 'v'.repeat(ANNOTATIONS_SIZE_LIMIT - 1), l: '' })).toBe(
      'their keys and values add up to 262145 bytes, more than the 262144 (256 KiB) Kubernetes allows',
    );
  });

  it('counts a character outside ASCII as the bytes UTF-8 takes for it', () => {
    const text = 'é'.repeat(ANNOTATIONS_SIZE_LIMIT / 4 - 1);
    expect(annotationsSizeProblem({ a: text, b: `${text}x` })).toBeUndefined();
    expect(annotationsSizeProblem({ a: text, b: `${text}😀` })).toMatch(/add up to 262146 bytes/);
  });
});
