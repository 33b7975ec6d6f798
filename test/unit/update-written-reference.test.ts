import { describe, expect, it } from 'vitest';
import { formatWrittenReference, splitWrittenReference } from '../../src/core/written-reference.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('a reference split as written, for update to rewrite its tag and digest', () => {
  it.each([
    ['postgres:16.2', { name: 'postgres', tag: '16.2' }],
    [`postgres:16.2@${DIGEST}`, { name: 'postgres', tag: '16.2', digest: DIGEST }],
    [`quay.io/org/app@${DIGEST}`, { name: 'quay.io/org/app', digest: DIGEST }],
    ['localhost:5000/app', { name: 'localhost:5000/app' }],
    ['127.0.0.1:5000/team/app:v1.2.3', { name: '127.0.0.1:5000/team/app', tag: 'v1.2.3' }],
    ['docker://alpine:3.20', { name: 'docker://alpine', tag: '3.20' }],
    ['docker://alpine', { name: 'docker://alpine' }],
  ])('%s', (text, written) => {
    expect(splitWrittenReference(text)).toEqual(written);
    expect(formatWrittenReference(written)).toBe(text);
  });
});
