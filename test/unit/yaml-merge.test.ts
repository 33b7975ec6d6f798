import { describe, expect, it } from 'vitest';
import { mergeYamlValue } from '../../src/config/yaml-merge.js';

const TEXT = `streams:
  # ours
  app:
    update: { policy: minor } # kept
    labels:
      team: a # old
    tags:
      latest:
        from: { kind: ImageStreamTag, name: "1" }
        scheduleInterval: 1h
      "1":
        from:
          kind: DockerImage # not a catalog form
          name: x
`;

describe('mergeYamlValue writes a value over another, touching only what differs', () => {
  it('writes a mapping key by key, removing what it lacks unless kept, comments and order kept', () => {
    const kept = (path: readonly string[]) => path.at(-1) === 'update' || path.at(-1) === 'scheduleInterval';
    const after = mergeYamlValue(
      TEXT,
      ['streams', 'app'],
      [
        ['labels', [['owner', 'b']]],
        [
          'tags',
          [
            ['latest', [['from', 'quay.io/org/app:latest']]],
            ['2', [['from', 'quay.io/org/app:2']]],
          ],
        ],
      ],
      kept,
    );
    expect(after).toBe(`streams:
  # ours
  app:
    update: { policy: minor } # kept
    labels:
      owner: b
    tags:
      latest:
        from: quay.io/org/app:latest
        scheduleInterval: 1h
      "2":
        from: quay.io/org/app:2
`);
  });

  it('puts a scalar where a block or flow mapping stood, on the same line', () => {
    const block = mergeYamlValue(TEXT, ['streams', 'app', 'tags', '1', 'from'], 'quay.io/org/app:1');
    expect(block).toContain('      "1":\n        from: quay.io/org/app:1\n');
    expect(block.endsWith('from: quay.io/org/app:1\n')).toBe(true);
    const flow = mergeYamlValue(TEXT, ['streams', 'app', 'tags', 'latest', 'from'], 'quay.io/org/app:latest');
    expect(flow).toContain('      latest:\n        from: quay.io/org/app:latest\n        scheduleInterval: 1h\n');
  });

  it('puts a mapping where a scalar stood, block in a block mapping and flow in a flow one', () => {
    const text =
      'streams:\n  app:\n    tags:\n      a:\n        from: x:1 # old\n        scheduled: true\n      b: { from: x:2 }\n';
    const name: [string, string][] = [
      ['kind', 'ImageStreamTag'],
      ['name', 'a'],
    ];
    const block = mergeYamlValue(text, ['streams', 'app', 'tags', 'a', 'from'], name);
    expect(block).toBe(
      'streams:\n  app:\n    tags:\n      a:\n        from:\n          kind: ImageStreamTag\n          name: a # old\n        scheduled: true\n      b: { from: x:2 }\n',
    );
    const flow = mergeYamlValue(text, ['streams', 'app', 'tags', 'b', 'from'], name);
    expect(flow).toContain('      b: { from: { kind: ImageStreamTag, name: a } }\n');
  });
});
