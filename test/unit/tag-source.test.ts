import { describe, expect, it } from 'vitest';
import { parseTagSource, sourceStreamName } from '../../src/operations/tag-source.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('SOURCE of tag, read as oc reads it', () => {
  it.each([
    ['quay.io/org/app:1', 'DockerImage'],
    ['localhost:5000/app:1', 'DockerImage'],
    ['oci:images/app:1', 'DockerImage'],
    ['library/alpine:3', 'DockerImage'],
    ['alpine', 'DockerImage'],
    ['app:latest', 'ImageStreamTag'],
    [`app@${DIGEST}`, 'ImageStreamImage'],
  ])('%s is a %s', (text, kind) => {
    expect(parseTagSource(text).kind).toBe(kind);
  });

  it('names the stream oc compares with the destinations for --alias', () => {
    expect(sourceStreamName(parseTagSource('app:latest'))).toBe('app');
    expect(sourceStreamName(parseTagSource(`app@${DIGEST}`))).toBe('app');
    expect(sourceStreamName(parseTagSource('quay.io/org/tool:1'))).toBe('tool');
    expect(sourceStreamName(parseTagSource(`quay.io/org/tool@${DIGEST}`))).toBe('tool');
  });

  it('refuses an image of a stream whose digest is malformed', () => {
    expect(() => parseTagSource('app@sha256:xyz')).toThrow(
      'invalid SOURCE "app@sha256:xyz": sha256:xyz is not a digest',
    );
  });
});
