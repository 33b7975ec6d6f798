import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import { CatalogError } from '../../src/core/errors.js';
import { compactTarget, findCycle } from '../../src/core/tag-reference.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A catalog of the given stream lines (indented under `streams:`). */
function catalogText(...streamLines: string[]): string {
  return ['apiVersion: imagestreams/v1', 'kind: Catalog', 'streams:', ...streamLines.map((l) => `  ${l}`)].join('\n');
}

function parse(text: string): Catalog {
  return parseCatalog(text, 'imagestreams.yaml');
}

function problemsOf(text: string): string[] {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof CatalogError) return error.message.split('\n');
    throw error;
  }
  throw new Error('the catalog was valid');
}

const DEV = [
  'dev:',
  '  tags:',
  '    latest:',
  '      from: quay.io/org/app:latest',
  '    "1.0":',
  '      from: quay.io/org/app:1.0',
];

describe('from naming a tag or an image of a catalog stream', () => {
  it('reads stream:tag as an ImageStreamTag when it is another tag of the catalog', () => {
    const catalog = parse(catalogText(...DEV, 'prod:', '  tags:', '    latest:', '      from: dev:latest'));
    expect(catalog.tags.map((t) => t.address)).toEqual(['dev:latest', 'dev:1.0']);
    expect(catalog.references).toMatchObject([
      {
        address: 'prod:latest',
        target: { kind: 'ImageStreamTag', stream: 'dev', tag: 'latest' },
        spec: {
          from: 'dev:latest',
          fromKind: 'ImageStreamTag',
          scheduled: false,
          insecure: false,
          preferPlatform: null,
        },
      },
    ]);
  });

  it('reads stream@digest as an ImageStreamImage, and the mapping form with a bare tag as one of the same stream', () => {
    const catalog = parse(
      catalogText(
        ...DEV,
        'prod:',
        '  tags:',
        `    snap: {from: "dev@${DIGEST}"}`,
        '    same: {from: {kind: ImageStreamTag, name: snap}}',
        `    image: {from: {kind: ImageStreamImage, name: "dev@${DIGEST}"}}`,
      ),
    );
    expect(catalog.references?.map((r) => [r.address, r.spec.fromKind, r.spec.from])).toEqual([
      ['prod:snap', 'ImageStreamImage', `dev@${DIGEST}`],
      ['prod:same', 'ImageStreamTag', 'prod:snap'],
      ['prod:image', 'ImageStreamImage', `dev@${DIGEST}`],
    ]);
  });

  it('reads anything else as a Docker reference: no such stream or tag, the tag itself, a path, kind DockerImage', () => {
    const catalog = parse(
      catalogText(
        ...DEV,
        'alpine:',
        '  tags:',
        '    "3.20": {from: "alpine:3.20"}',
        `    pinned: {from: "alpine@${DIGEST}"}`,
        '    a: {from: "redis:7"}',
        '    b: {from: "docker.io/dev:latest"}',
        '    c: {from: {kind: DockerImage, name: "dev:latest"}}',
        '    d: {from: "dev:2.0"}',
      ),
    );
    expect(catalog.references).toBeUndefined();
    expect(catalog.tags.filter((t) => t.stream === 'alpine').map((t) => t.source.ref)).toMatchObject([
      { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' },
      { registry: 'docker.io', repository: 'library/alpine', digest: DIGEST },
      { registry: 'docker.io', repository: 'library/redis', tag: '7' },
      { registry: 'docker.io', repository: 'library/dev', tag: 'latest' },
      { registry: 'docker.io', repository: 'library/dev', tag: 'latest' },
      { registry: 'docker.io', repository: 'library/dev', tag: '2.0' },
    ]);
  });

  it('reports a reference to a missing tag or stream at file:line:col', () => {
    const problems = problemsOf(
      catalogText(
        ...DEV,
        'prod:',
        '  tags:',
        '    a: {from: {kind: ImageStreamTag, name: "dev:nope"}}',
        `    b: {from: {kind: ImageStreamImage, name: "other@${DIGEST}"}}`,
        '    c: {from: {kind: ImageStreamTag, name: "other:1"}}',
      ),
    );
    expect(problems).toEqual([
      'imagestreams.yaml:12:46: error: ImageStreamTag dev:nope: the image stream "dev" has no tag "nope"',
      `imagestreams.yaml:13:48: error: ImageStreamImage other@${DIGEST}: the catalog has no image stream "other"`,
      'imagestreams.yaml:14:46: error: ImageStreamTag other:1: the catalog has no image stream "other"',
    ]);
  });

  it('reports a cycle once, naming its path, at the from of its first tag', () => {
    const problems = problemsOf(
      catalogText(
        'a:',
        '  tags:',
        '    "1": {from: "b:2"}',
        '    self: {from: {kind: ImageStreamTag, name: self}}',
        'b:',
        '  tags:',
        '    "2": {from: "c:3"}',
        'c:',
        '  tags:',
        '    "3": {from: "a:1"}',
      ),
    );
    expect(problems).toEqual([
      'imagestreams.yaml:6:19: error: the tags follow each other in a cycle: a:1 → b:2 → c:3 → a:1',
      'imagestreams.yaml:7:49: error: the tags follow each other in a cycle: a:self → a:self',
    ]);
  });

  it('refuses the import settings a following tag cannot use, with OpenShift message for scheduled', () => {
    const problems = problemsOf(
      catalogText(
        ...DEV,
        'prod:',
        '  tags:',
        '    latest:',
        '      from: dev:latest',
        '      scheduled: true',
        '      insecure: true',
      ),
    );
    expect(problems[0]).toBe(
      'imagestreams.yaml:14:20: error: only tags pointing to Docker repositories may be scheduled for background import',
    );
    expect(problems[1]).toMatch(/15:19: error: insecure applies only to tags pointing to Docker repositories/);
    expect(problems).toHaveLength(2);
  });

  it('takes referencePolicy Local on a following tag, and the default referencePolicy like any tag', () => {
    const local = parse(
      catalogText(...DEV, 'prod:', '  tags:', '    latest: {from: dev:latest, referencePolicy: Local}'),
    );
    expect(local.references?.[0]?.spec.referencePolicy).toBe('Local');
    const byDefault = parse(
      catalogText(...DEV, 'prod:', '  tags:', '    latest: {from: dev:latest}').replace(
        'streams:',
        'defaults:\n  referencePolicy: Local\nstreams:',
      ),
    );
    expect(byDefault.references?.[0]?.spec.referencePolicy).toBe('Local');
  });

  it('reports a malformed mapping form at its key', () => {
    const problems = problemsOf(
      catalogText(
        'dev:',
        '  tags:',
        '    a: {from: {kind: Nope, name: x}}',
        '    b: {from: {kind: ImageStreamImage, name: "dev:a"}}',
      ),
    );
    expect(problems).toEqual([
      'imagestreams.yaml:6:24: error: "kind" in streams.dev.tags.a.from must be DockerImage, ImageStreamTag or ImageStreamImage, not the string "Nope"',
      'imagestreams.yaml:7:48: error: an ImageStreamImage is named STREAM@sha256:<64 hex digits>, not "dev:a"',
    ]);
  });
});

describe('compactTarget and findCycle', () => {
  const names = { streams: new Set(['dev', 'prod']), addresses: new Set(['dev:latest', 'prod:latest']) };
  it('tells compact references from Docker references', () => {
    const tagOfDev = { kind: 'ImageStreamTag', stream: 'dev', tag: 'latest' };
    expect(compactTarget('dev:latest', names, 'prod:latest')).toEqual(tagOfDev);
    const imageOfDev = { kind: 'ImageStreamImage', stream: 'dev', digest: DIGEST };
    expect(compactTarget(`dev@${DIGEST}`, names, 'prod:latest')).toEqual(imageOfDev);
    expect(compactTarget('dev:latest', names, 'dev:latest')).toBeUndefined();
    expect(compactTarget(`dev@${DIGEST}`, names, 'dev:other')).toBeUndefined();
    expect(compactTarget('dev:1.0', names, 'prod:latest')).toBeUndefined();
    expect(compactTarget('dev', names, 'prod:latest')).toBeUndefined();
    expect(compactTarget('alpine:3', names, 'prod:latest')).toBeUndefined();
    expect(compactTarget('quay.io/dev:latest', names, 'prod:latest')).toBeUndefined();
  });

  it('finds the cycle a chain runs into, not the chain leading to it', () => {
    const follows = new Map([
      ['x:1', 'a:1'],
      ['a:1', 'b:1'],
      ['b:1', 'a:1'],
    ]);
    expect(findCycle(follows)).toEqual(['a:1', 'b:1', 'a:1']);
    expect(findCycle(new Map([['x:1', 'a:1']]))).toBeUndefined();
  });
});
