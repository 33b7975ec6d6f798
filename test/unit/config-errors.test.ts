import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import { CatalogError, formatCatalogProblem } from '../../src/core/errors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'catalogs');
const HEAD = ['apiVersion: imagestreams/v1', 'kind: Catalog'];

/** Every problem of a catalog (written as lines, the first being line 1) as `c.yaml:line:col: error: message`. */
function problemsOf(lines: string[]): string[] {
  try {
    parseCatalog(lines.join('\n'), join(FIXTURES, 'c.yaml'), { displayPath: 'c.yaml' });
  } catch (error) {
    if (error instanceof CatalogError) return error.problems.map(formatCatalogProblem);
    throw error;
  }
  return [];
}

/** A catalog whose tag `s:t` has the given lines; they start on line 7. */
function withTag(...tagLines: string[]): string[] {
  return [...HEAD, 'streams:', '  s:', '    tags:', '      t:', ...tagLines.map((l) => `        ${l}`)];
}

describe('import mode', () => {
  it.each([
    ['under defaults', [...HEAD, 'defaults:', '  importMode: legacy', 'streams: {}'], 'c.yaml:4:15'],
    ['under defaults, not a string', [...HEAD, 'defaults:', '  importMode: 5', 'streams: {}'], 'c.yaml:4:15'],
    ['under a tag', withTag('from: alpine', 'importMode: Preserve'), 'c.yaml:8:21'],
    ['under a tag, empty', withTag('from: alpine', 'importMode:'), 'c.yaml:8:20'],
  ])('%s reports exactly the oc message at the value', (_name, lines, location) => {
    expect(problemsOf(lines)).toEqual([`${location}: error: valid ImportMode values are Legacy or PreserveOriginal`]);
  });

  it('is not the message for an annotation that happens to be called importMode', () => {
    expect(problemsOf(withTag('from: alpine', 'annotations:', '  importMode: 5'))).toEqual([
      'c.yaml:9:23: error: "importMode" in streams.s.tags.t.annotations must be a string, not the number 5',
    ]);
  });
});

describe('header', () => {
  it.each([
    [
      'wrong apiVersion and kind',
      ['apiVersion: imagestreams/v2', 'kind: Catalogue', 'streams: {}'],
      [
        'c.yaml:1:13: error: "apiVersion" must be imagestreams/v1, not the string "imagestreams/v2"',
        'c.yaml:2:7: error: "kind" must be Catalog, not the string "Catalogue"',
      ],
    ],
    [
      'missing apiVersion',
      ['# a comment', 'kind: Catalog', 'streams: {}'],
      ['c.yaml:2:1: error: missing required key "apiVersion" at the top level'],
    ],
    ['missing streams', HEAD, ['c.yaml:1:1: error: missing required key "streams" at the top level']],
    ['an empty file', [''], ['c.yaml:1:1: error: the catalog is empty: it needs apiVersion, kind and streams']],
    [
      'only comments',
      ['# nothing', ''],
      ['c.yaml:1:1: error: the catalog is empty: it needs apiVersion, kind and streams'],
    ],
    ['a list', ['- a', '- b'], ['c.yaml:1:1: error: the catalog must be a mapping, not a list']],
    ['an empty state path', [...HEAD, 'state: ""', 'streams: {}'], ['c.yaml:3:8: error: "state" must not be empty']],
  ])('%s', (_name, lines, expected) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});

describe('unknown keys', () => {
  it.each([
    [
      'in a tag, with a suggestion',
      [...HEAD, 'streams:', '  demo:', '    tags:', '      "1.0":', '        fromm: alpine'],
      [
        'c.yaml:6:7: error: missing required key "from" in streams.demo.tags.1.0',
        'c.yaml:7:9: error: unknown key "fromm" in streams.demo.tags.1.0 (did you mean "from"? allowed: from, importMode, referencePolicy, scheduled, preferPlatform, insecure, scheduleInterval, annotations)',
      ],
    ],
    [
      'at the top level',
      [...HEAD, 'streams: {}', 'foo: 1'],
      [
        'c.yaml:4:1: error: unknown key "foo" at the top level (allowed: apiVersion, kind, state, defaults, registries, local, streams)',
      ],
    ],
    [
      'in defaults, case aside',
      [...HEAD, 'defaults:', '  importmode: Legacy', 'streams: {}'],
      [
        'c.yaml:4:3: error: unknown key "importmode" in defaults (did you mean "importMode"? allowed: importMode, referencePolicy, scheduled, preferPlatform, scheduleInterval)',
      ],
    ],
    [
      'credentials inlined under auth',
      [...HEAD, 'registries:', '  quay.io:', '    auth:', '      password: hunter2', 'streams: {}'],
      ['c.yaml:6:7: error: unknown key "password" in registries.quay.io.auth (allowed: secret)'],
    ],
    [
      'in a stream',
      [...HEAD, 'streams:', '  s:', '    tag: {}'],
      [
        'c.yaml:4:3: error: missing required key "tags" in streams.s',
        'c.yaml:5:5: error: unknown key "tag" in streams.s (did you mean "tags"? allowed: tags, labels, annotations, discover, lookupPolicy, update)',
      ],
    ],
  ])('%s', (_name, lines, expected) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});

describe('wrong values', () => {
  it.each([
    [
      'a YAML 1.1 boolean',
      withTag('from: alpine', 'scheduled: yes'),
      ['c.yaml:8:20: error: "scheduled" in streams.s.tags.t must be a boolean (true or false), not the string "yes"'],
    ],
    [
      'a quoted boolean',
      withTag('from: alpine', 'insecure: "true"'),
      ['c.yaml:8:19: error: "insecure" in streams.s.tags.t must be a boolean (true or false), not the string "true"'],
    ],
    [
      'a tag written as a bare image',
      [...HEAD, 'streams:', '  s:', '    tags:', '      t: alpine'],
      ['c.yaml:6:10: error: "t" in streams.s.tags must be a mapping, not the string "alpine"'],
    ],
    [
      'a reference policy in lower case',
      [...HEAD, 'defaults:', '  referencePolicy: local', 'streams: {}'],
      ['c.yaml:4:20: error: "referencePolicy" in defaults must be Source or Local, not the string "local"'],
    ],
    [
      'a duration without a unit',
      [...HEAD, 'defaults:', '  scheduleInterval: 15', 'streams: {}'],
      [
        'c.yaml:4:21: error: "scheduleInterval" in defaults must be a duration such as 15m, 1h30m or 90s, not the number 15',
      ],
    ],
    [
      'a malformed duration',
      withTag('from: alpine', 'scheduleInterval: 1h30'),
      [
        'c.yaml:8:27: error: "scheduleInterval" in streams.s.tags.t must be a duration such as 15m, 1h30m or 90s, not the string "1h30"',
      ],
    ],
    [
      'a zero duration',
      [...HEAD, 'defaults:', '  scheduleInterval: 0m', 'streams: {}'],
      ['c.yaml:4:21: error: "scheduleInterval" in defaults must be at least 1s, not 0m'],
    ],
    [
      'a platform without an architecture',
      [...HEAD, 'defaults:', '  preferPlatform: linux', 'streams: {}'],
      [
        'c.yaml:4:19: error: "preferPlatform" in defaults must be a platform os/arch[/variant], such as linux/amd64 or linux/arm64, not the string "linux"',
      ],
    ],
    [
      'an annotation that is not a string',
      withTag('from: alpine', 'annotations:', '  replicas: 3'),
      ['c.yaml:9:21: error: "replicas" in streams.s.tags.t.annotations must be a string, not the number 3'],
    ],
    [
      'annotations as a list',
      withTag('from: alpine', 'annotations: [a]'),
      ['c.yaml:8:22: error: "annotations" in streams.s.tags.t must be a mapping, not a list'],
    ],
  ])('%s', (_name, lines, expected) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});

describe('names', () => {
  it.each([
    [
      'a stream name in upper case and a tag name starting with a dot',
      [...HEAD, 'streams:', '  Bad_Name:', '    tags:', '      .bad:', '        from: alpine'],
      [
        "c.yaml:4:3: error: stream name \"Bad_Name\" must be lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
        "c.yaml:6:7: error: tag name \".bad\" must be at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'",
      ],
    ],
    [
      'a tag name of 129 characters',
      [...HEAD, 'streams:', '  s:', '    tags:', `      ${'a'.repeat(129)}:`, '        from: alpine'],
      [
        `c.yaml:6:7: error: tag name "${'a'.repeat(77)}..." must be at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'`,
      ],
    ],
    [
      'a key that is not text',
      [...HEAD, 'streams:', '  s:', '    tags:', '      ? [a]', '      : {from: alpine}'],
      ['c.yaml:6:9: error: keys must be plain text in streams.s.tags'],
    ],
  ])('%s', (_name, lines, expected) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});

describe('sources', () => {
  it.each([
    [
      'a reference in upper case',
      withTag('from: Alpine:latest'),
      ['c.yaml:7:15: error: invalid image reference "Alpine:latest": repository name must be lowercase ("Alpine")'],
    ],
    [
      'a bad digest',
      withTag('from: quay.io/org/app@sha256:abc'),
      [
        'c.yaml:7:15: error: invalid image reference "quay.io/org/app@sha256:abc": invalid digest "sha256:abc": expected ALGORITHM:HEX, such as sha256: and 64 hex digits',
      ],
    ],
    [
      'an oci: source without a path',
      withTag('from: "oci:"'),
      ['c.yaml:7:15: error: invalid image reference "oci:": an oci: reference needs a path'],
    ],
    ['an empty source', withTag('from: ""'), ['c.yaml:7:15: error: "from" in streams.s.tags.t must not be empty']],
    [
      'a missing source',
      withTag('scheduled: true'),
      ['c.yaml:6:7: error: missing required key "from" in streams.s.tags.t'],
    ],
  ])('%s', (_name, lines, expected) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});

describe('preferred platform from annotations', () => {
  it.each([
    [
      'conflicting with preferPlatform',
      withTag(
        'from: alpine',
        'preferPlatform: linux/arm64',
        'annotations:',
        '  importer.image.openshift.io/prefer-arch: amd64',
        '  importer.image.openshift.io/prefer-os: windows',
      ),
      [
        'c.yaml:10:52: error: annotation importer.image.openshift.io/prefer-arch: amd64 conflicts with preferPlatform linux/arm64; keep only one of them',
        'c.yaml:11:50: error: annotation importer.image.openshift.io/prefer-os: windows conflicts with preferPlatform linux/arm64; keep only one of them',
      ],
    ],
    [
      'that do not parse',
      withTag(
        'from: alpine',
        'annotations:',
        '  importer.image.openshift.io/prefer-arch: "x y"',
        '  importer.image.openshift.io/prefer-os: a/b',
      ),
      [
        'c.yaml:9:52: error: invalid importer.image.openshift.io/prefer-arch annotation "x y": expected an architecture such as amd64, arm64 or arm/v7',
        'c.yaml:10:50: error: invalid importer.image.openshift.io/prefer-os annotation "a/b": expected an operating system such as linux or windows',
      ],
    ],
  ])('%s', (_name, lines, expected) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});

describe('reference policy Local', () => {
  it('needs no local section: the default store beside the catalog takes the images', () => {
    expect(problemsOf(withTag('from: alpine', 'referencePolicy: Local'))).toEqual([]);
    const lines = [...HEAD, 'defaults:', '  referencePolicy: Local', 'streams:', '  s:', '    tags:'];
    expect(problemsOf([...lines, '      a: {from: alpine}'])).toEqual([]);
  });
});

describe('local', () => {
  it.each([
    [
      'both registry and layout',
      ['local:', '  registry: reg.local:5000/ns', '  layout: store'],
      ['c.yaml:3:1: error: local must set exactly one of "registry" or "layout"'],
    ],
    ['neither', ['local: {}'], ['c.yaml:3:1: error: local must set exactly one of "registry" or "layout"']],
    [
      'a registry without a namespace',
      ['local:', '  registry: reg.local:5000'],
      [
        'c.yaml:4:13: error: local.registry "reg.local:5000" has no namespace: expected host[:port]/namespace, such as registry.example.com:5000/mirror',
      ],
    ],
    [
      'a registry that would be a Docker Hub namespace',
      ['local:', '  registry: mirror/ns'],
      [
        'c.yaml:4:13: error: local.registry "mirror/ns" does not start with a registry host (one with a "." or ":", or localhost): expected host[:port]/namespace, such as registry.example.com:5000/mirror',
      ],
    ],
    [
      'a registry with a scheme',
      ['local:', '  registry: https://reg.local/ns'],
      [
        'c.yaml:4:13: error: invalid local.registry "https://reg.local/ns": a registry key has no scheme: write host[:port][/path]; expected host[:port]/namespace, such as registry.example.com:5000/mirror',
      ],
    ],
  ])('%s', (_name, local, expected) => {
    expect(problemsOf([...HEAD, ...local, 'streams: {}'])).toEqual(expected);
  });

  it.each(['localhost/mirror', 'localhost:5000/mirror', 'registry.internal/a/b', '[::1]:5000/mirror'])(
    'accepts the registry %s',
    (registry) => {
      expect(problemsOf([...HEAD, 'local:', `  registry: "${registry}"`, 'streams: {}'])).toEqual([]);
    },
  );
});

describe('registries', () => {
  it.each([
    [
      'a key with a scheme',
      ['  https://quay.io: {}'],
      [
        'c.yaml:4:3: error: registry key "https://quay.io" must be host[:port][/path-prefix], such as registry.example.com:5000/team, without a scheme',
      ],
    ],
    [
      'a port out of range',
      ['  quay.io:99999: {}'],
      ['c.yaml:4:3: error: registry key "quay.io:99999": invalid port 99999'],
    ],
    [
      'two keys for the same registry',
      ['  Quay.io: {}', '  quay.io: {}', '  registry-1.docker.io: {}', '  docker.io: {}'],
      [
        'c.yaml:5:3: error: registry key "quay.io" names the same registry as "Quay.io" (line 4)',
        'c.yaml:7:3: error: registry key "docker.io" names the same registry as "registry-1.docker.io" (line 6)',
      ],
    ],
    [
      'a client certificate without its key',
      ['  quay.io:', '    clientCert: certs/client.pem'],
      ['c.yaml:5:5: error: "clientCert" in registries.quay.io needs "clientKey" as well'],
    ],
    [
      'limits that are not positive',
      ['  quay.io:', '    maxConcurrency: 0', '    requestsPerSecond: 0'],
      [
        'c.yaml:5:21: error: "maxConcurrency" in registries.quay.io must be at least 1, not the number 0',
        'c.yaml:6:24: error: "requestsPerSecond" in registries.quay.io must be greater than 0, not the number 0',
      ],
    ],
    [
      'a fractional concurrency',
      ['  quay.io:', '    maxConcurrency: 2.5'],
      ['c.yaml:5:21: error: "maxConcurrency" in registries.quay.io must be a whole number, not the number 2.5'],
    ],
    [
      'nothing for a pull secret kept out of git (it is reported when credentials are looked up)',
      ['  quay.io:', '    auth:', '      secret: secrets/not-committed.yaml'],
      [],
    ],
    [
      'files that do not exist or are not files',
      ['  quay.io:', '    ca: certs/missing.pem', '    auth:', '      secret: secrets'],
      [
        `c.yaml:5:9: error: "ca" in registries.quay.io names a file that does not exist: ${join(FIXTURES, 'certs', 'missing.pem')}`,
        `c.yaml:7:15: error: "secret" in registries.quay.io.auth must name a file, and ${join(FIXTURES, 'secrets')} is not one`,
      ],
    ],
  ])('%s', (_name, registries, expected) => {
    expect(problemsOf([...HEAD, 'registries:', ...registries, 'streams: {}'])).toEqual(expected);
  });
});

describe('YAML', () => {
  it.each([
    [
      'duplicate keys, compared as written',
      [
        ...HEAD,
        'streams:',
        '  s:',
        '    tags:',
        '      1.0: {from: alpine}',
        '      "1.0": {from: alpine}',
        '  s: {tags: {}}',
      ],
      [
        'c.yaml:7:7: error: duplicate key "1.0" in streams.s.tags (first defined on line 6)',
        'c.yaml:8:3: error: duplicate key "s" in streams (first defined on line 4)',
      ],
    ],
    [
      'a duplicate top-level key',
      [...HEAD, 'kind: Catalog', 'streams: {}'],
      ['c.yaml:3:1: error: duplicate key "kind" at the top level (first defined on line 2)'],
    ],
    [
      'a syntax error',
      [...HEAD, 'streams:', '  s: [', ''],
      [
        'c.yaml:5:1: error: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
    ],
    [
      'a tab used as indentation',
      [...HEAD, 'streams:', '\ts: {}'],
      ['c.yaml:4:1: error: invalid YAML: Tabs are not allowed as indentation'],
    ],
    [
      'several documents',
      [...HEAD, 'streams: {}', '---', 'kind: Catalog'],
      ['c.yaml:4:1: error: the catalog must be a single YAML document (remove "---")'],
    ],
    [
      'an alias without its anchor',
      [...HEAD, 'streams:', '  s:', '    tags:', '      t: *nope'],
      ['c.yaml:6:10: error: unknown alias *nope (an anchor &nope must come first)'],
    ],
    ['a custom tag', withTag('from: !custom alpine'), ['c.yaml:7:15: error: invalid YAML: Unresolved tag: !custom']],
  ])('%s', (_name, lines, expected) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});

describe('every problem at once', () => {
  it('reports problems from the YAML, the schema and the semantic checks together, sorted by position', () => {
    const lines = [
      ...HEAD,
      'local:',
      '  registry: mirror',
      'streams:',
      '  s:',
      '    tags:',
      '      b:',
      '        from: UPPER',
      '        scheduled: 1',
      '      a:',
      '        fromm: alpine',
      '      b: {from: alpine}',
    ];
    expect(problemsOf(lines)).toEqual([
      'c.yaml:4:13: error: local.registry "mirror" has no namespace: expected host[:port]/namespace, such as registry.example.com:5000/mirror',
      'c.yaml:9:15: error: invalid image reference "UPPER": repository name must be lowercase ("UPPER")',
      'c.yaml:10:20: error: "scheduled" in streams.s.tags.b must be a boolean (true or false), not the number 1',
      'c.yaml:11:7: error: missing required key "from" in streams.s.tags.a',
      'c.yaml:12:9: error: unknown key "fromm" in streams.s.tags.a (did you mean "from"? allowed: from, importMode, referencePolicy, scheduled, preferPlatform, insecure, scheduleInterval, annotations)',
      'c.yaml:13:7: error: duplicate key "b" in streams.s.tags (first defined on line 8)',
    ]);
  });

  it('throws a CatalogError whose message is every problem, one per line', () => {
    const text = withTag('from: alpine', 'scheduled: yes', 'importMode: x').join('\n');
    const load = () => parseCatalog(text, join(FIXTURES, 'c.yaml'), { displayPath: 'c.yaml' });
    expect(load).toThrow(CatalogError);
    expect(load).toThrow(
      [
        'c.yaml:8:20: error: "scheduled" in streams.s.tags.t must be a boolean (true or false), not the string "yes"',
        'c.yaml:9:21: error: valid ImportMode values are Legacy or PreserveOriginal',
      ].join('\n'),
    );
  });
});
