import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { Workspace } from '../helpers/workspace.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/validate.schema.json', import.meta.url), 'utf8'));
const matchesSchema = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

const lines = (...text: string[]) => `${['apiVersion: imagestreams/v1', 'kind: Catalog', ...text].join('\n')}\n`;

const WARNED = lines(
  'streams:',
  '  app:',
  '    tags:',
  '      stable:',
  '        from: quay.io/org/app:1.0',
  '        preferPlatform: linux/amd65',
);
const AMD65 =
  'imagestreams.yaml:8:25: warning: "preferPlatform" in streams.app.tags.stable: unknown architecture "amd65" (did you mean "amd64"?)\n';

const INVALID = lines(
  'streams:',
  '  demo:',
  '    tags:',
  '      disk:',
  '        from: oci:images/demo:1.0',
  '        insecure: true',
  '        preferPlatform: linux/amd65',
);
const INSECURE_LAYOUT =
  '"insecure" in streams.demo.tags.disk: insecure: true does not apply to an oci: source (an image layout on disk has no TLS to skip); remove it';

function workspace(catalog: string): Workspace {
  const ws = new Workspace('imagestreams-validate-');
  ws.writeCatalog(catalog);
  return ws;
}

describe('validate warns about platforms no image has', () => {
  it('names where, suggests the known name, and exits 0', async () => {
    const result = await workspace(WARNED).expectRun(['validate'], 0);
    expect(result.stderr).toBe(AMD65);
    expect(result.stdout).toBe('imagestreams.yaml is valid: 1 stream, 1 tag; 1 warning.\n');
  });

  it('prints the warnings of an invalid catalog before its errors, and exits 1', async () => {
    const result = await workspace(INVALID).expectRun(['validate'], 1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `${AMD65.replace('8:25', '9:25').replace('app.tags.stable', 'demo.tags.disk')}imagestreams.yaml:8:19: error: ${INSECURE_LAYOUT}\n`,
    );
  });
});

describe('validate warns about labels the API server would refuse', () => {
  it('names where, shows the key escaped, and exits 0', async () => {
    const catalog = lines(
      'streams:',
      '  app:',
      '    labels:',
      '      "team\\0a": web',
      '    tags:',
      '      stable:',
      '        from: quay.io/org/app:1.0',
    );
    const result = await workspace(catalog).expectRun(['validate'], 0);
    expect(result.stderr).toBe(
      `imagestreams.yaml:6:7: warning: "team\\u0000a" in streams.app.labels: not a label key Kubernetes accepts: the name is not letters, digits, '-', '_' and '.', starting and ending with a letter or digit; an exported ImageStream would be refused\n`,
    );
    expect(result.stdout).toBe('imagestreams.yaml is valid: 1 stream, 1 tag; 1 warning.\n');
  });
});

describe('validate names places in the catalog without control characters', () => {
  it('escapes those of the stream a warning and an error are about', async () => {
    const catalog = lines(
      'streams:',
      '  "ap\\e[2Jp\\u202e":',
      '    labels: { "a b": c }',
      '    tags:',
      '      stable:',
      '        from: quay.io/org/app:1.0',
    );
    const result = await workspace(catalog).expectRun(['validate'], 1);
    expect(result.stderr).toContain('"a b" in streams.ap\\u001b[2Jp\\u202e.labels: not a label key');
    for (const raw of ['\u001b', '\u202e']) expect(result.stderr).not.toContain(raw);
  });
});

describe('validate --json', () => {
  it('says valid, with the warnings, and exits 0', async () => {
    const result = await workspace(WARNED).expectRun(['validate', '--json'], 0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(matchesSchema(report)).toBe(true);
    expect(report).toEqual({
      valid: true,
      discoveringStreams: 0,
      errors: [],
      warnings: [
        {
          file: 'imagestreams.yaml',
          line: 8,
          column: 25,
          message: '"preferPlatform" in streams.app.tags.stable: unknown architecture "amd65" (did you mean "amd64"?)',
        },
      ],
    });
  });

  it('says invalid, with every error and warning located, on stdout only, and exits 1', async () => {
    const result = await workspace(INVALID).expectRun(['validate', '--json'], 1);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(matchesSchema(report)).toBe(true);
    expect(report.valid).toBe(false);
    expect(report.errors).toEqual([{ file: 'imagestreams.yaml', line: 8, column: 19, message: INSECURE_LAYOUT }]);
    expect(report.warnings).toHaveLength(1);
  });

  it('reports a catalog that cannot be read the same way', async () => {
    const ws = new Workspace('imagestreams-validate-');
    const result = await ws.expectRun(['validate', '--json', '-f', 'missing.yaml'], 1);
    const report = JSON.parse(result.stdout);
    expect(matchesSchema(report)).toBe(true);
    expect(report).toMatchObject({
      valid: false,
      warnings: [],
      errors: [{ file: 'missing.yaml', line: 1, column: 1 }],
    });
  });

  it('is what validate --help says: every field of the schema, and the exit codes', async () => {
    const help = (await runCli(['validate', '--help'])).stdout.replace(/\s+/g, ' ');
    const fields = [...Object.keys(schema.properties), ...Object.keys(schema.$defs.problem.properties)];
    for (const field of fields) expect(help).toContain(`"${field}"`);
    expect(help).toContain('for an invalid or unreadable catalog too');
    expect(help).toContain('exit 0 when valid, 1 when not');
  });

  it('prints a clean catalog as valid with nothing to say', async () => {
    const clean = WARNED.replace('linux/amd65', 'linux/aarch64');
    const result = await workspace(clean).expectRun(['validate', '--json'], 0);
    expect(JSON.parse(result.stdout)).toEqual({ valid: true, errors: [], warnings: [], discoveringStreams: 0 });
  });
});

const DISCOVERING = lines(
  'streams:',
  '  app:',
  '    tags:',
  '      stable: { from: quay.io/org/app:1.0 }',
  '  postgres:',
  '    discover: { from: docker.io/library/postgres, policy: { semver: ">=15" }, keep: 3 }',
  '    tags:',
  '      latest: { from: docker.io/library/postgres:latest }',
  '  redis:',
  '    discover: { from: docker.io/library/redis, policy: { numerical: asc } }',
);

describe('validate and streams that discover their tags', () => {
  it('counts them apart from the tags written out, since it lists no repository', async () => {
    const result = await workspace(DISCOVERING).expectRun(['validate'], 0);
    expect(result.stdout).toBe(
      'imagestreams.yaml is valid: 3 streams, 2 tags and 2 streams that discover their tags.\n',
    );
  });

  it('says how many in --json', async () => {
    const result = await workspace(DISCOVERING).expectRun(['validate', '--json'], 0);
    const report = JSON.parse(result.stdout);
    expect(matchesSchema(report)).toBe(true);
    expect(report).toEqual({ valid: true, errors: [], warnings: [], discoveringStreams: 2 });
  });

  it('says so of a single one', async () => {
    const one = DISCOVERING.slice(0, DISCOVERING.indexOf('  redis:'));
    const result = await workspace(one).expectRun(['validate'], 0);
    expect(result.stdout).toBe('imagestreams.yaml is valid: 2 streams, 2 tags and 1 stream that discovers its tags.\n');
  });
});
