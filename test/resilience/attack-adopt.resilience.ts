import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Workspace } from '../helpers/workspace.js';
import { expectRefused, expectWithinMemory, runOnHostileInput } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';

/** What a hostile cluster's answer puts in a name or message: a terminal title, a colour, and a forged error line. */
const ESCAPES = '\u001b]0;pwned\u0007\u001b[31mRED\nerror: forged line';
/** Any of it reaching the output raw: an escape character, a bell, or the forged line at the start of a line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is looked for
const RAW_ESCAPE = /\u001b|\u0007|^error: forged line/m;

const DIGEST = `sha256:${'a'.repeat(64)}`;
/** A registry nothing listens on: reading an image from it fails at once. */
const NOWHERE = '127.0.0.1:9/app';

const stream = (object: Record<string, unknown>) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  ...object,
});
const list = (...items: object[]) => ({ apiVersion: 'v1', kind: 'List', items });
const tag = (name: string, from: object = { kind: 'DockerImage', name: `${NOWHERE}:1` }) => ({ name, from });

const EMPTY_CATALOG = 'apiVersion: imagestreams/v1\nkind: Catalog\nstreams: {}\n';

describe('adopt fed what a hostile cluster answers', () => {
  const work = new Workspace('imagestreams-attack-adopt-');

  beforeEach(() => {
    work.writeCatalog(EMPTY_CATALOG);
  });

  const adopt = (input: object) => {
    writeFileSync(work.file('is.json'), JSON.stringify(input));
    return runOnHostileInput(['adopt', 'is.json'], work.dir);
  };

  it.each<[string, object, RegExp]>([
    [
      'a stream name with escape sequences, twice',
      list(stream({ metadata: { name: `a${ESCAPES}` } }), stream({ metadata: { name: `a${ESCAPES}` } })),
      /the input holds the ImageStream "a\\u001b\]0;pwned\\u0007\\u001b\[31mRED\\nerror: forged line" more than once/,
    ],
    [
      'a tag name with escape sequences, twice',
      stream({ metadata: { name: 'app' }, spec: { tags: [tag(`t${ESCAPES}`), tag(`t${ESCAPES}`)] } }),
      /has the tag "t\\u001b.*" twice in spec\.tags/,
    ],
    [
      'a from.kind with escape sequences',
      stream({ metadata: { name: 'app' }, spec: { tags: [tag('t', { kind: `Evil${ESCAPES}`, name: 'x:1' })] } }),
      /from\.kind "Evil\\u001b.*": expected DockerImage/,
    ],
    [
      'an invalid stream whose name holds escape sequences',
      stream({ metadata: { name: `app${ESCAPES}` }, spec: { bogus: 1 } }),
      /ImageStream "app\\u001b.*" is not valid: spec\.bogus: unknown field/,
    ],
    [
      'streams named __proto__ and constructor',
      list(
        stream({ metadata: { name: '__proto__' }, spec: { tags: [tag('constructor')] } }),
        stream({
          metadata: { name: 'constructor' },
          spec: { tags: [tag('x', { kind: 'ImageStreamTag', name: 'constructor:x' })] },
        }),
      ),
      /stream name "__proto__" must be lowercase letters/,
    ],
    [
      'an annotation of 1 MB',
      stream({ metadata: { name: 'app', annotations: { big: 'y'.repeat(1 << 20) } } }),
      /metadata\.annotations: too large for Kubernetes/,
    ],
    [
      'a stream annotation key with escape sequences, which the API server refuses',
      stream({ metadata: { name: 'app', annotations: { [`k${ESCAPES}`]: 'v' } }, spec: { tags: [tag('u')] } }),
      /metadata\.annotations\["k\\u001b.*"\]: not an annotation key Kubernetes accepts/,
    ],
  ])('%s: exit 1, the hostile text escaped, nothing written', async (_name, input, message) => {
    const before = treeSnapshot(work.dir);
    const outcome = await adopt(input);
    expectRefused(outcome, message);
    expect(`${outcome.stdout}${outcome.stderr}`).not.toMatch(RAW_ESCAPE);
    expect(treeSnapshot(work.dir).get('imagestreams.yaml')).toBe(before.get('imagestreams.yaml'));
    expect(existsSync(work.statePath)).toBe(false);
    tally({ inputs: 1, attacks: 1 });
  });

  it('a tag left out (no from) whose name holds escape sequences is named escaped in the warning', async () => {
    const outcome = await adopt(
      stream({ metadata: { name: 'app' }, spec: { tags: [{ name: `t${ESCAPES}` }, tag('u')] } }),
    );
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toMatch(/warning: app: spec\.tags\["t\\u001b.*"\]: left out: a tag without "from"/);
    expect(`${outcome.stdout}${outcome.stderr}`).not.toMatch(RAW_ESCAPE);
    tally({ attacks: 1 });
  });

  it('annotations with line breaks and control characters are written to the catalog escaped, and read back', async () => {
    const annotations = { k: `v${ESCAPES}\r\n` };
    // Tag annotations are not checked by the API server: their keys may hold anything.
    const tagAnnotations = { [`k${ESCAPES}`]: `v${ESCAPES}\r\n` };
    const tagged = { ...tag('u'), annotations: tagAnnotations };
    const outcome = await adopt(stream({ metadata: { name: 'app', annotations }, spec: { tags: [tagged] } }));
    expect(outcome.code, outcome.stderr).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is looked for
    expect(readFileSync(work.catalogPath, 'utf8')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const exported = await runOnHostileInput(['export'], work.dir);
    expect(exported.code, exported.stderr).toBe(0);
    const [object] = parseAllDocuments(exported.stdout).map((document) => document.toJS());
    expect(object.metadata.annotations).toEqual(annotations);
    expect(object.spec.tags[0].annotations).toEqual(tagAnnotations);
    expect(`${outcome.stdout}${outcome.stderr}`).not.toMatch(RAW_ESCAPE);
    tally({ attacks: 1 });
  });

  it('history whose images are not digests and whose times are not RFC 3339 is left out, nothing read from them', async () => {
    const items = [
      {
        created: `yesterday${ESCAPES}`,
        image: `not-a-digest${ESCAPES}`,
        dockerImageReference: '/etc/passwd',
        generation: 1,
      },
      {
        created: '2024-01-01T00:00:00Z',
        image: 'sha256:../../etc/passwd',
        dockerImageReference: '../x',
        generation: 1,
      },
    ];
    const conditions = [
      {
        type: 'ImportSuccess',
        status: 'False',
        reason: `Bad${ESCAPES}`,
        message: ESCAPES,
        generation: 1,
        lastTransitionTime: ESCAPES,
      },
    ];
    const outcome = await adopt(
      stream({
        metadata: { name: 'app' },
        spec: { tags: [tag('u')] },
        status: { tags: [{ tag: 'u', items, conditions }] },
      }),
    );
    expect(`${outcome.stdout}${outcome.stderr}`).not.toMatch(RAW_ESCAPE);
    expect(`${outcome.stdout}${outcome.stderr}`).not.toMatch(/internal error|\n {4}at /);
    if (existsSync(work.statePath)) expect(readFileSync(work.statePath, 'utf8')).not.toMatch(/pwned|passwd/);
    tally({ inputs: 1, attacks: 1 });
  });

  it('a DockerImage named like a tag of the stream (app:v1) stays that Docker image, not a follower of the tag', async () => {
    const hub = { kind: 'DockerImage', name: 'app:v1' };
    const outcome = await adopt(stream({ metadata: { name: 'app' }, spec: { tags: [tag('latest', hub), tag('v1')] } }));
    expect(outcome.code, outcome.stderr).toBe(0);
    const exported = await runOnHostileInput(['export'], work.dir);
    expect(exported.code, exported.stderr).toBe(0);
    expect(parseAllDocuments(exported.stdout)[0]!.toJS().spec.tags[0].from).toEqual(hub);
    tally({ inputs: 1, attacks: 1 });
  });

  it('a status with 100,000 items costs little', async () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({
      created: 'not a time',
      image: DIGEST,
      dockerImageReference: `${NOWHERE}@${DIGEST}`,
      generation: i,
    }));
    const outcome = await adopt(
      stream({ metadata: { name: 'app' }, spec: { tags: [tag('u')] }, status: { tags: [{ tag: 'u', items }] } }),
    );
    expect(outcome.stoppedBy).toBe('exit');
    expect(`${outcome.stdout}${outcome.stderr}`).not.toMatch(/internal error|\n {4}at /);
    expectWithinMemory(outcome);
    tally({ inputs: 1, attacks: 1 });
  });
});

describe('adopt --replace fed a cluster whose follower lost the tag it follows', () => {
  const work = new Workspace('imagestreams-attack-adopt-replace-');
  const CATALOG = `apiVersion: imagestreams/v1
kind: Catalog
streams:
  base:
    tags:
      "1":
        from: ${NOWHERE}:1
  app:
    tags:
      latest:
        from: app:v1 # follows v1
      v1:
        from: ${NOWHERE}:v1
      base:
        from: base:1
`;
  const follows = (name: string, target: string) => tag(name, { kind: 'ImageStreamTag', name: target });

  it.each<[string, object, RegExp]>([
    [
      'a tag of its own stream',
      stream({ metadata: { name: 'app' }, spec: { tags: [follows('latest', 'app:v1'), follows('base', 'base:1')] } }),
      /ImageStreamTag app:v1: the image stream "app" has no tag "v1"/,
    ],
    [
      'a tag of another stream adopted with it',
      list(
        stream({ metadata: { name: 'base' }, spec: { tags: [tag('2')] } }),
        stream({
          metadata: { name: 'app' },
          spec: { tags: [follows('latest', 'app:v1'), tag('v1'), follows('base', 'base:1')] },
        }),
      ),
      /ImageStreamTag base:1: the image stream "base" has no tag "1"/,
    ],
  ])(
    '%s: refused as a new stream would be, the `stream:tag` spelling not left to name a Docker Hub image',
    async (_name, input, message) => {
      work.writeCatalog(CATALOG);
      writeFileSync(work.file('is.json'), JSON.stringify(input));
      const before = treeSnapshot(work.dir);
      expectRefused(await runOnHostileInput(['adopt', 'is.json', '--replace'], work.dir), message);
      expect(treeSnapshot(work.dir)).toEqual(before);
      tally({ inputs: 1, attacks: 1 });
    },
  );

  it('a stream of 1000 tags over a catalog that has 1000 others, half of them changed: done in seconds', async () => {
    const lines = ['apiVersion: imagestreams/v1', 'kind: Catalog', 'streams:', '  app:', '    tags:'];
    for (let i = 0; i < 1000; i++) lines.push(`      t${i}:`, `        from: ${NOWHERE}:${i} # tag ${i}`);
    work.writeCatalog(`${lines.join('\n')}\n`);
    const tags = Array.from({ length: 1000 }, (_, i) =>
      tag(i < 500 ? `t${i}` : `n${i}`, { kind: 'DockerImage', name: `${NOWHERE}:v${i}` }),
    );
    writeFileSync(work.file('is.json'), JSON.stringify(stream({ metadata: { name: 'app' }, spec: { tags } })));
    const outcome = await runOnHostileInput(['adopt', 'is.json', '--replace'], work.dir);
    expect(outcome.stoppedBy, outcome.stderr).toBe('exit');
    expect(outcome.code, outcome.stderr).toBe(0);
    const catalog = readFileSync(work.catalogPath, 'utf8');
    expect(catalog).toContain(`      t499:\n        from: ${NOWHERE}:v499 # tag 499\n      n500:\n`);
    expect(catalog).not.toContain('t500:');
    expectWithinMemory(outcome);
    tally({ inputs: 1, attacks: 1 });
  });
});
