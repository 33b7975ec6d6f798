import { describe, expect, it } from 'vitest';
import {
  type CatalogText,
  catalogDiff,
  deleteCatalogTag,
  setCatalogTag,
  type TagChanges,
} from '../../src/config/catalog-edit.js';
import { CatalogError, UsageError } from '../../src/core/errors.js';

const PATH = '/catalogs/imagestreams.yaml';

function source(text: string): CatalogText {
  return { text, path: PATH, displayPath: 'imagestreams.yaml' };
}

function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

const HEAD = ['apiVersion: imagestreams/v1', 'kind: Catalog'];

/** A catalog written the way people write them: aligned comments, quoted keys, comments above tags. */
const COMMENTED = lines(
  '# yaml-language-server: $schema=./schemas/imagestreams.schema.json',
  ...HEAD,
  'defaults:                      # applies to every tag',
  '  importMode: Legacy           # Legacy | PreserveOriginal',
  'streams:',
  '  app:',
  '    tags:',
  '      # the release line',
  '      stable:',
  "        from: 'quay.io/org/app:1.0'   # pinned on purpose",
  '        scheduled: false',
  '      "2.0":',
  '        from: "quay.io/org/app:2.0"',
  '',
  '      latest:',
  '        from: quay.io/org/app:latest',
  '        importMode: PreserveOriginal',
  '        # follows upstream',
  '  base:',
  '    tags:',
  '      ubi: { from: registry.access.redhat.com/ubi9/ubi:latest }',
);

describe('setCatalogTag changes only the lines it must', () => {
  const cases: [string, string, string, TagChanges, string][] = [
    [
      'replaces a source in place, keeping its quotes and the aligned comment',
      'app',
      'stable',
      { from: 'quay.io/org/app:1.1' },
      COMMENTED.replace("from: 'quay.io/org/app:1.0'", "from: 'quay.io/org/app:1.1'"),
    ],
    [
      'sets a key the tag already has, in place',
      'app',
      'stable',
      { scheduled: true },
      COMMENTED.replace('        scheduled: false', '        scheduled: true'),
    ],
    [
      'adds a key after the last one of the tag, before the comments of the next key',
      'app',
      '2.0',
      { importMode: 'PreserveOriginal' },
      COMMENTED.replace(
        '        from: "quay.io/org/app:2.0"\n',
        '        from: "quay.io/org/app:2.0"\n        importMode: PreserveOriginal\n',
      ),
    ],
    [
      'adds a key directly after the last key, before a comment at the keys’ indentation',
      'app',
      'latest',
      { scheduled: true },
      COMMENTED.replace('        # follows upstream\n', '        scheduled: true\n        # follows upstream\n'),
    ],
    [
      'adds a tag after the last one, with the blank line the tags are written with',
      'app',
      '3.0',
      { from: 'quay.io/org/app:3.0', scheduled: true },
      COMMENTED.replace(
        '        # follows upstream\n',
        '        # follows upstream\n\n      "3.0":\n        from: quay.io/org/app:3.0\n        scheduled: true\n',
      ),
    ],
    [
      'adds a key to a flow mapping',
      'base',
      'ubi',
      { importMode: 'PreserveOriginal' },
      COMMENTED.replace(
        'ubi: { from: registry.access.redhat.com/ubi9/ubi:latest }',
        'ubi: { from: registry.access.redhat.com/ubi9/ubi:latest, importMode: PreserveOriginal }',
      ),
    ],
    [
      'adds a tag to a block stream whose other tags are flow mappings',
      'base',
      'minimal',
      { from: 'registry.access.redhat.com/ubi9/ubi-minimal:latest' },
      `${COMMENTED}      minimal:\n        from: registry.access.redhat.com/ubi9/ubi-minimal:latest\n`,
    ],
    [
      'adds a stream at the end of the streams',
      'tools',
      'latest',
      { from: 'docker.io/library/busybox:1.36' },
      `${COMMENTED}  tools:\n    tags:\n      latest:\n        from: docker.io/library/busybox:1.36\n`,
    ],
  ];

  it.each(cases)('%s', (_name, stream, tag, changes, expected) => {
    const edit = setCatalogTag(source(COMMENTED), stream, tag, changes);
    expect(edit.after).toBe(expected);
    expect(edit.changed).toBe(true);
  });

  it('writes nothing when the tag already has what is asked, by default or by its own keys', () => {
    const edit = setCatalogTag(source(COMMENTED), 'app', 'latest', {
      from: 'quay.io/org/app:latest',
      importMode: 'PreserveOriginal',
      scheduled: false,
      insecure: false,
      referencePolicy: 'Source',
    });
    expect(edit.changed).toBe(false);
    expect(edit.after).toBe(COMMENTED);
    expect(catalogDiff(edit, 'imagestreams.yaml')).toBe('');
  });

  it('keeps the import mode when none is asked for', () => {
    const edit = setCatalogTag(source(COMMENTED), 'app', 'latest', { from: 'quay.io/org/app:next' });
    const tag = edit.catalog.tags.find((t) => t.address === 'app:latest')!;
    expect(tag.spec.importMode).toBe('PreserveOriginal');
  });

  it('uses the indentation of the file for new tags and streams', () => {
    const text = lines(
      ...HEAD,
      'streams:',
      '    app:',
      '        tags:',
      '            a:',
      '                from: alpine',
    );
    const edit = setCatalogTag(source(text), 'app', 'b', { from: 'busybox', scheduled: true });
    expect(edit.after).toBe(`${text}            b:\n                from: busybox\n                scheduled: true\n`);
    const stream = setCatalogTag(source(text), 'tools', 'x', { from: 'busybox' });
    expect(stream.after).toBe(`${text}    tools:\n        tags:\n            x:\n                from: busybox\n`);
  });

  it.each([
    ['streams: {}', 'streams:\n  app:\n    tags:\n      latest:\n        from: alpine'],
    ['streams: { app: { tags: {} } }', 'streams: { app: { tags: { latest: { from: alpine } } } }'],
    [
      'streams:\n  app:\n    tags: {}   # nothing yet',
      'streams:\n  app:\n    tags:\n      latest:\n        from: alpine   # nothing yet',
    ],
  ])('fills the empty mapping %j', (streams, expected) => {
    const text = lines(...HEAD, streams);
    expect(setCatalogTag(source(text), 'app', 'latest', { from: 'alpine' }).after).toBe(lines(...HEAD, expected));
  });

  it('keeps Windows line endings and a missing final line break', () => {
    const text = [...HEAD, 'streams:', '  app:', '    tags:', '      a:', '        from: alpine'].join('\r\n');
    const edit = setCatalogTag(source(text), 'app', 'a', { scheduled: true });
    expect(edit.after).toBe(`${text}\r\n        scheduled: true\r\n`);
  });

  it('quotes what would otherwise read as another type', () => {
    const text = lines(...HEAD, 'streams:', '  app:', '    tags:', '      a:', '        from: alpine');
    const edit = setCatalogTag(source(text), 'app', '1.10', { from: 'alpine:1.10' });
    expect(edit.after).toBe(`${text}      "1.10":\n        from: alpine:1.10\n`);
    expect(edit.catalog.tags.map((t) => t.tag)).toEqual(['a', '1.10']);
  });

  it('writes insecure only when the registry does not already make the tag insecure', () => {
    const text = lines(
      ...HEAD,
      'registries:',
      '  registry.local:5000:',
      '    insecure: true',
      'streams:',
      '  app:',
      '    tags:',
      '      a:',
      '        from: registry.local:5000/app:1',
      '      b:',
      '        from: quay.io/app:1',
    );
    expect(setCatalogTag(source(text), 'app', 'a', { insecure: true }).changed).toBe(false);
    expect(setCatalogTag(source(text), 'app', 'a', { insecure: false }).after).toContain(
      '        from: registry.local:5000/app:1\n        insecure: false\n',
    );
    expect(setCatalogTag(source(text), 'app', 'b', { insecure: true }).after).toBe(`${text}        insecure: true\n`);
  });

  it('refuses to make an image layout insecure, and removes an insecure key it has when asked for false', () => {
    const text = lines(...HEAD, 'streams:', '  demo:', '    tags:', '      a:', '        from: oci:images/demo:1.0');
    expect(() => setCatalogTag(source(text), 'demo', 'a', { insecure: true })).toThrow(
      new UsageError('--insecure does not apply to oci:images/demo:1.0: an image layout on disk has no TLS to skip'),
    );
    expect(() => setCatalogTag(source(text), 'demo', 'b', { from: 'oci:images/demo:2.0', insecure: true })).toThrow(
      UsageError,
    );
    expect(setCatalogTag(source(text), 'demo', 'a', { insecure: false }).changed).toBe(false);
    const stray = `${text}        insecure: true\n`;
    expect(() => setCatalogTag(source(stray), 'demo', 'a', { insecure: false })).toThrow(
      'insecure: true does not apply to an oci: source',
    );
  });

  it('drops the insecure key of a registry tag given an image layout source', () => {
    const text = lines(
      ...HEAD,
      'streams:',
      '  demo:',
      '    tags:',
      '      a:',
      '        from: registry.local:5000/app:1',
    );
    const insecure = `${text}        insecure: true\n`;
    const edit = setCatalogTag(source(insecure), 'demo', 'a', { from: 'oci:images/demo:1.0' });
    expect(edit.after).toBe(text.replace('registry.local:5000/app:1', 'oci:images/demo:1.0'));
  });

  it('removes the tag’s own preferred platform when asked for none', () => {
    const text = lines(
      ...HEAD,
      'streams:',
      '  app:',
      '    tags:',
      '      a:',
      '        from: alpine',
      '        preferPlatform: linux/arm64',
    );
    const edit = setCatalogTag(source(text), 'app', 'a', { preferPlatform: null });
    expect(edit.after).toBe(lines(...HEAD, 'streams:', '  app:', '    tags:', '      a:', '        from: alpine'));
  });

  it('refuses an edit that would make the catalog invalid, naming the problem', () => {
    const attempt = () => setCatalogTag(source(COMMENTED), 'app', 'stable', { from: 'oci:../elsewhere:1' });
    expect(attempt).toThrow(CatalogError);
    expect(attempt).toThrow(/is outside the catalog's directory .*\(after the edit; the catalog was not changed\)/);
  });

  it('refuses to edit a catalog that is already invalid, without blaming the edit', () => {
    const text = lines(
      ...HEAD,
      'streams:',
      '  app:',
      '    tags:',
      '      a:',
      '        from: alpine',
      '        colour: blue',
    );
    const attempt = () => setCatalogTag(source(text), 'app', 'a', { scheduled: true });
    expect(attempt).toThrow(/unknown key|colour/);
    expect(attempt).not.toThrow(/after the edit/);
  });

  it('refuses to edit a tag shared through a YAML anchor', () => {
    const text = lines(
      ...HEAD,
      'streams:',
      '  app:',
      '    tags:',
      '      a: &shared',
      '        from: alpine',
      '      b: *shared',
    );
    expect(() => setCatalogTag(source(text), 'app', 'a', { scheduled: true })).toThrow(UsageError);
    expect(() => setCatalogTag(source(text), 'app', 'b', { scheduled: true })).toThrow(/anchor or alias/);
  });

  it('needs a source for a new tag', () => {
    expect(() => setCatalogTag(source(COMMENTED), 'app', 'nope', { scheduled: true })).toThrow(/needs a source/);
  });
});

describe('deleteCatalogTag', () => {
  it.each([
    [
      'a tag with the comment above it',
      'stable',
      COMMENTED.replace(
        "      # the release line\n      stable:\n        from: 'quay.io/org/app:1.0'   # pinned on purpose\n        scheduled: false\n",
        '',
      ),
    ],
    [
      'a tag before a blank line, keeping one blank line',
      '2.0',
      COMMENTED.replace('      "2.0":\n        from: "quay.io/org/app:2.0"\n', ''),
    ],
    [
      'the last tag with its trailing comments and the blank line before it',
      'latest',
      COMMENTED.replace(
        '\n      latest:\n        from: quay.io/org/app:latest\n        importMode: PreserveOriginal\n        # follows upstream\n',
        '',
      ),
    ],
  ])('removes %s', (_name, tag, expected) => {
    expect(deleteCatalogTag(source(COMMENTED), 'app', tag).after).toBe(expected);
  });

  it('removes the first tag with the blank line after it', () => {
    const text = lines(
      ...HEAD,
      'streams:',
      '  app:',
      '    tags:',
      '      a:',
      '        from: x',
      '',
      '      b:',
      '        from: y',
    );
    expect(deleteCatalogTag(source(text), 'app', 'a').after).toBe(
      lines(...HEAD, 'streams:', '  app:', '    tags:', '      b:', '        from: y'),
    );
  });

  it('leaves `tags: {}` when the last tag of a stream goes', () => {
    const edit = deleteCatalogTag(source(COMMENTED), 'base', 'ubi');
    expect(edit.after).toBe(
      COMMENTED.replace(
        '    tags:\n      ubi: { from: registry.access.redhat.com/ubi9/ubi:latest }\n',
        '    tags: {}\n',
      ),
    );
    expect(edit.catalog.tags.some((t) => t.stream === 'base')).toBe(false);
  });

  it.each([
    ['{ a: { from: x }, b: { from: y } }', 'a', '{ b: { from: y } }'],
    ['{ a: { from: x }, b: { from: y } }', 'b', '{ a: { from: x } }'],
    ['{ a: { from: x } }', 'a', '{}'],
  ])('removes from the flow mapping %s the tag %s', (tags, tag, expected) => {
    const text = lines(...HEAD, 'streams:', `  app: { tags: ${tags} }`);
    expect(deleteCatalogTag(source(text), 'app', tag).after).toBe(
      lines(...HEAD, 'streams:', `  app: { tags: ${expected} }`),
    );
  });

  it('says when the tag does not exist', () => {
    expect(() => deleteCatalogTag(source(COMMENTED), 'app', 'nope')).toThrow(
      'app:nope does not exist in imagestreams.yaml',
    );
  });
});

describe('catalogDiff', () => {
  it('is a unified diff of exactly the edited lines', () => {
    const edit = setCatalogTag(source(COMMENTED), 'app', 'stable', { from: 'quay.io/org/app:1.1', scheduled: true });
    const diff = catalogDiff(edit, 'imagestreams.yaml');
    expect(diff.startsWith('--- imagestreams.yaml\n+++ imagestreams.yaml\n@@ ')).toBe(true);
    const changed = diff.split('\n').filter((l) => /^[-+][^-+]/.test(l));
    expect(changed).toEqual([
      "-        from: 'quay.io/org/app:1.0'   # pinned on purpose",
      '-        scheduled: false',
      "+        from: 'quay.io/org/app:1.1'   # pinned on purpose",
      '+        scheduled: true',
    ]);
  });
});
