import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import { discoveredNameError, discoveredNameProblems } from '../../src/core/discovery-conflicts.js';
import { discoveredCatalogTag } from '../../src/core/discovery-tags.js';
import { CatalogError, formatCatalogProblem } from '../../src/core/errors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'catalogs');
const HEAD = ['apiVersion: imagestreams/v1', 'kind: Catalog'];

function catalogOf(lines: string[]): Catalog {
  return parseCatalog(lines.join('\n'), join(FIXTURES, 'c.yaml'), { displayPath: 'c.yaml' });
}

/** Every problem of a catalog (written as lines, the first being line 1) as `c.yaml:line:col: error: message`. */
function problemsOf(lines: string[]): string[] {
  try {
    catalogOf(lines);
  } catch (error) {
    if (error instanceof CatalogError) return error.problems.map(formatCatalogProblem);
    throw error;
  }
  return [];
}

/** A catalog whose stream `pg` discovers with the given lines; they start on line 6. */
function withDiscover(...lines: string[]): string[] {
  return [...HEAD, 'streams:', '  pg:', '    discover:', ...lines.map((l) => `      ${l}`)];
}

const FROM = 'from: docker.io/library/postgres';
const POLICY = "policy: { semver: '>=15' }";

describe('a discover block', () => {
  it('resolves the keys of the contract, the capture taken from the only named group of include', () => {
    const catalog = catalogOf(
      withDiscover(
        FROM,
        "include: '^(?<version>\\d+\\.\\d+)$'",
        "exclude: ['-rc', 'beta']",
        "policy: { semver: '>=15 <18' }",
        'keep: 3',
        'importMode: PreserveOriginal',
      ),
    );
    expect(catalog.discoveries).toEqual([
      {
        stream: 'pg',
        source: { transport: 'registry', ref: { registry: 'docker.io', repository: 'library/postgres' } },
        from: 'docker.io/library/postgres',
        include: '^(?<version>\\d+\\.\\d+)$',
        capture: 'version',
        exclude: ['-rc', 'beta'],
        policy: { kind: 'semver', range: '>=15 <18' },
        keep: 3,
        prune: true,
        importMode: 'PreserveOriginal',
        referencePolicy: 'Source',
        scheduled: false,
        insecure: false,
        preferPlatform: null,
        scheduleIntervalMs: 15 * 60 * 1000,
        location: { file: 'c.yaml', line: 5, column: 5 },
      },
    ]);
    expect(catalog.tags).toEqual([]);
  });

  it('gives discovered tags the catalog defaults and the registry settings, as tags written out get them', () => {
    const catalog = catalogOf([
      ...HEAD,
      'defaults:',
      '  importMode: PreserveOriginal',
      '  scheduled: true',
      '  preferPlatform: linux/arm64',
      '  scheduleInterval: 1h',
      'registries:',
      '  registry.local:5000:',
      '    insecure: true',
      'streams:',
      '  app:',
      '    discover:',
      '      from: registry.local:5000/team/app',
      '      policy: { numerical: desc }',
      '      prune: false',
      '      keep: 2',
      '      preferPlatform: linux/arm/v7',
    ]);
    expect(catalog.discoveries?.[0]).toMatchObject({
      source: { transport: 'registry', ref: { registry: 'registry.local:5000', repository: 'team/app' } },
      policy: { kind: 'numerical', order: 'desc' },
      keep: 2,
      prune: false,
      importMode: 'PreserveOriginal',
      scheduled: true,
      insecure: true,
      preferPlatform: 'linux/arm/v7',
      scheduleIntervalMs: 60 * 60 * 1000,
    });
    expect(catalog.discoveries?.[0]).not.toHaveProperty('include');
    expect(catalog.discoveries?.[0]).not.toHaveProperty('capture');
  });

  it.each([
    ['semver: 5.1.x', { kind: 'semver', range: '5.1.x' }],
    ["semver: { range: '^1.2' }", { kind: 'semver', range: '^1.2' }],
    ['alphabetical: asc', { kind: 'alphabetical', order: 'asc' }],
    ['alphabetical: { order: desc }', { kind: 'alphabetical', order: 'desc' }],
    ['numerical: {}', { kind: 'numerical', order: 'asc' }],
  ])('reads the policy %s, in this form or Flux ImagePolicy’s', (policy, expected) => {
    expect(catalogOf(withDiscover(FROM, `policy: { ${policy} }`)).discoveries?.[0]?.policy).toEqual(expected);
  });

  it('takes Docker Hub short names and a single exclude text', () => {
    const discovery = catalogOf(withDiscover('from: postgres', POLICY, 'exclude: alpine')).discoveries?.[0];
    expect(discovery?.source).toEqual({
      transport: 'registry',
      ref: { registry: 'docker.io', repository: 'library/postgres' },
    });
    expect(discovery?.exclude).toEqual(['alpine']);
  });

  it('follows an image layout, its path taken from the catalog directory', () => {
    const discovery = catalogOf(withDiscover('from: oci:images/app', POLICY)).discoveries?.[0];
    expect(discovery?.source).toEqual({ transport: 'layout', ref: { path: join(FIXTURES, 'images', 'app') } });
  });

  it('may sit beside tags written out, which resolve as before', () => {
    const catalog = catalogOf([
      ...withDiscover(FROM, POLICY),
      '    tags:',
      '      latest:',
      '        from: docker.io/library/postgres:latest',
    ]);
    expect(catalog.discoveries).toHaveLength(1);
    expect(catalog.tags.map((tag) => tag.address)).toEqual(['pg:latest']);
  });

  it('is absent from a catalog that has none', () => {
    const catalog = catalogOf([...HEAD, 'streams:', '  s:', '    tags: {}']);
    expect(catalog).not.toHaveProperty('discoveries');
  });
});

describe('a wrong discover block is reported at file:line:column', () => {
  it.each([
    [
      'a stream with neither tags nor discover',
      [...HEAD, 'streams:', '  s:', '    labels: {}'],
      ['c.yaml:4:3: error: missing required key "tags" in streams.s'],
    ],
    [
      'an include RE2 cannot compile',
      withDiscover(FROM, POLICY, "include: '^(\\d+'"),
      [
        'c.yaml:8:16: error: "include" in streams.pg.discover is not a valid pattern (RE2 syntax): missing closing ): `^(\\d+`',
      ],
    ],
    [
      'a lookahead, which RE2 does not have',
      withDiscover(FROM, POLICY, "include: '^(?!rc)'"),
      [
        'c.yaml:8:16: error: "include" in streams.pg.discover is not a valid pattern (RE2 syntax): invalid or unsupported Perl syntax: `(?!`',
      ],
    ],
    [
      'a capture include does not have, with the nearest group suggested',
      withDiscover(FROM, POLICY, "include: '^(?<version>[0-9.]+)$'", 'capture: versoin'),
      [
        'c.yaml:9:16: error: "capture" in streams.pg.discover names the group "versoin", which "include" does not have (did you mean "version"? its named groups: version)',
      ],
    ],
    [
      'a capture when include has no named group',
      withDiscover(FROM, POLICY, "include: '^[0-9.]+$'", 'capture: version'),
      [
        'c.yaml:9:16: error: "capture" in streams.pg.discover names the group "version", but "include" has no named group such as (?<version>…)',
      ],
    ],
    [
      'a capture without include',
      withDiscover(FROM, POLICY, 'capture: version'),
      [
        'c.yaml:8:16: error: "capture" in streams.pg.discover names the group "version", but there is no "include" pattern to take it from',
      ],
    ],
    [
      'several named groups and no capture to choose one',
      withDiscover(FROM, POLICY, "include: '^(?<major>[0-9]+)\\.(?<minor>[0-9]+)$'"),
      [
        'c.yaml:8:16: error: "include" in streams.pg.discover has several named groups (major, minor): set "capture" to the one the policy orders on',
      ],
    ],
    [
      'an invalid semver range',
      withDiscover(FROM, "policy: { semver: '>=15 <<18' }"),
      [
        'c.yaml:7:25: error: "semver" in streams.pg.discover.policy is not a valid semver range: ">=15 <<18" (write one such as ">=15 <18", "^1.2" or "5.1.x")',
      ],
    ],
    [
      'an invalid semver range in Flux’s form',
      withDiscover(FROM, "policy: { semver: { range: 'latest' } }"),
      [
        'c.yaml:7:34: error: "range" in streams.pg.discover.policy.semver is not a valid semver range: "latest" (write one such as ">=15 <18", "^1.2" or "5.1.x")',
      ],
    ],
    [
      'keep: 0',
      withDiscover(FROM, POLICY, 'keep: 0'),
      ['c.yaml:8:13: error: "keep" in streams.pg.discover must be at least 1, not the number 0'],
    ],
    [
      'a negative keep',
      withDiscover(FROM, POLICY, 'keep: -2'),
      ['c.yaml:8:13: error: "keep" in streams.pg.discover must be at least 1, not the number -2'],
    ],
    [
      'a keep that is not a whole number',
      withDiscover(FROM, POLICY, 'keep: 1.5'),
      ['c.yaml:8:13: error: "keep" in streams.pg.discover must be a whole number, not the number 1.5'],
    ],
    [
      'a from with a tag',
      withDiscover('from: docker.io/library/postgres:16', POLICY),
      [
        'c.yaml:6:13: error: "from" in streams.pg.discover must name a repository, without a tag (":16"): discover lists the repository\'s tags',
      ],
    ],
    [
      'a from with a digest',
      withDiscover(`from: quay.io/org/app@sha256:${'0'.repeat(64)}`, POLICY),
      [
        `c.yaml:6:13: error: "from" in streams.pg.discover must name a repository, without a digest ("@sha256:${'0'.repeat(64)}"): discover lists the repository's tags`,
      ],
    ],
    [
      'an image layout with a tag',
      withDiscover('from: oci:images/app:1.0', POLICY),
      [
        'c.yaml:6:13: error: "from" in streams.pg.discover must name a repository, without a tag (":1.0"): discover lists the repository\'s tags',
      ],
    ],
    [
      'a from that is not a reference',
      withDiscover('from: Foo//bar', POLICY),
      ['c.yaml:6:13: error: invalid image reference "Foo//bar": repository name has an empty path component'],
    ],
    [
      'two policy kinds at once',
      withDiscover(FROM, "policy: { semver: '>=1', numerical: asc }"),
      [
        'c.yaml:7:7: error: policy in streams.pg.discover must set exactly one of "semver", "alphabetical" or "numerical"',
      ],
    ],
    [
      'no policy kind',
      withDiscover(FROM, 'policy: {}'),
      [
        'c.yaml:7:7: error: policy in streams.pg.discover must set exactly one of "semver", "alphabetical" or "numerical"',
      ],
    ],
    [
      'a misspelt policy kind',
      withDiscover(FROM, 'policy: { semvr: ">=1" }'),
      [
        'c.yaml:7:17: error: unknown key "semvr" in streams.pg.discover.policy (did you mean "semver"? allowed: semver, alphabetical, numerical)',
      ],
    ],
    [
      'an order that is neither asc nor desc',
      withDiscover(FROM, 'policy: { alphabetical: ascending }'),
      [
        'c.yaml:7:31: error: "alphabetical" in streams.pg.discover.policy must be asc or desc, not the string "ascending"',
      ],
    ],
    [
      'a misspelt key',
      withDiscover(FROM, POLICY, 'exlude: beta'),
      [
        'c.yaml:8:7: error: unknown key "exlude" in streams.pg.discover (did you mean "exclude"? allowed: from, include, capture, exclude, policy, keep, prune, importMode, referencePolicy, scheduled, preferPlatform, insecure, scheduleInterval)',
      ],
    ],
    [
      'neither from nor policy',
      withDiscover('keep: 2'),
      [
        'c.yaml:5:5: error: missing required key "from" in streams.pg.discover',
        'c.yaml:5:5: error: missing required key "policy" in streams.pg.discover',
      ],
    ],
    [
      'an import mode oc refuses',
      withDiscover(FROM, POLICY, 'importMode: preserve'),
      ['c.yaml:8:19: error: valid ImportMode values are Legacy or PreserveOriginal'],
    ],
    [
      'insecure on an image layout',
      withDiscover('from: oci:images/app', POLICY, 'insecure: true'),
      [
        'c.yaml:8:17: error: "insecure" in streams.pg.discover: insecure: true does not apply to an oci: source (an image layout on disk has no TLS to skip); remove it',
      ],
    ],
    [
      'an exclude entry written /…/ that RE2 cannot compile',
      withDiscover(FROM, POLICY, "exclude: ['-rc', '/(/']"),
      [
        'c.yaml:8:24: error: "1" in streams.pg.discover.exclude is not a valid pattern (RE2 syntax): missing closing ): `(`',
      ],
    ],
  ])('%s', (_name, lines, expected) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});

describe('a discovered tag with the name of a tag written out in the same stream', () => {
  const catalog = catalogOf([
    ...withDiscover(FROM, "policy: { semver: '>=15' }", 'keep: 2'),
    '    tags:',
    '      "16.2":',
    '        from: docker.io/library/postgres:16.2',
    '        importMode: PreserveOriginal',
    '  other:',
    '    tags:',
    '      "17.0":',
    '        from: docker.io/library/postgres:17.0',
  ]);
  const discovery = catalog.discoveries![0]!;

  it('is an error located at the tag written out, naming where discover is', () => {
    expect(discoveredNameProblems(catalog, discovery, ['17.0', '16.2']).map(formatCatalogProblem)).toEqual([
      'c.yaml:10:7: error: tag "16.2" of stream "pg" is also discovered from docker.io/library/postgres (discover on line 5): remove one of them, or leave the tag out of discover with include or exclude',
    ]);
    expect(discoveredNameError(catalog, discovery, ['16.2'])).toBeInstanceOf(CatalogError);
  });

  it('is no error for a tag of another stream, or when no name is shared', () => {
    expect(discoveredNameProblems(catalog, discovery, ['17.0', '16.3'])).toEqual([]);
    expect(discoveredNameError(catalog, discovery, [])).toBeUndefined();
  });
});

describe('a discovered tag', () => {
  const settings = [
    'importMode: PreserveOriginal',
    'referencePolicy: Local',
    'scheduled: true',
    'preferPlatform: linux/arm64',
  ];
  const head = [
    ...HEAD,
    'defaults:',
    '  preferPlatform: linux/s390x',
    '  scheduleInterval: 5m',
    'registries:',
    '  registry.local:5000:',
    '    insecure: true',
    'streams:',
    '  app:',
  ];

  it.each([
    ['registry.local:5000/team/app', 'registry.local:5000/team/app:2.1'],
    ['oci:images/app', 'oci:images/app:2.1'],
  ])('from %s is the tag a user would have written out with the same settings', (from, written) => {
    const discovering = catalogOf([
      ...head,
      '    discover:',
      `      from: ${from}`,
      "      policy: { semver: '*' }",
      ...settings.map((l) => `      ${l}`),
    ]);
    const writing = catalogOf([
      ...head,
      '    tags:',
      '      "2.1":',
      `        from: ${written}`,
      ...settings.map((l) => `        ${l}`),
    ]);
    const { location: _discovered, ...discovered } = discoveredCatalogTag(
      discovering.discoveries![0]!,
      '2.1',
      discovering.defaults,
    );
    const { location: _written, ...writtenOut } = writing.tags[0]!;
    expect(discovered).toEqual(writtenOut);
  });
});
