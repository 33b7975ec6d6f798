import { describe, expect, it } from 'vitest';
import { IMAGE_CONFIG_LIMITS, summarizeImageConfig } from '../../src/core/image-config-summary.js';
import type { Descriptor } from '../../src/core/manifest.js';
import { stateProblems } from '../../src/state/state-schema.js';

const layer = (n: number, size: number): Descriptor => ({
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: `sha256:${String(n).padStart(64, '0')}`,
  size,
});

describe('the summary of an image config an import records', () => {
  it('keeps what describe shows: author, command, working dir, user, ports, labels, environment, volumes, layers', () => {
    const summary = summarizeImageConfig(
      {
        created: '2024-01-01T00:00:00Z',
        author: 'Platform Team',
        config: {
          Entrypoint: ['/bin/app'],
          Cmd: ['serve', '--port', '8080'],
          WorkingDir: '/srv',
          User: '1001',
          ExposedPorts: { '8443/tcp': {}, '8080/tcp': {} },
          Env: ['PATH=/bin', 'MODE=prod'],
          Volumes: { '/data': {} },
          Labels: { team: 'web', a: 'b' },
        },
      },
      [layer(1, 3409), layer(2, 1024)],
      500,
    );
    expect(summary).toEqual({
      created: '2024-01-01T00:00:00Z',
      author: 'Platform Team',
      labels: { a: 'b', team: 'web' },
      layers: 2,
      size: 4933,
      layerSizes: [
        { digest: layer(1, 0).digest, size: 3409 },
        { digest: layer(2, 0).digest, size: 1024 },
      ],
      entrypoint: ['/bin/app'],
      cmd: ['serve', '--port', '8080'],
      workingDir: '/srv',
      user: '1001',
      exposedPorts: ['8080/tcp', '8443/tcp'],
      env: ['PATH=/bin', 'MODE=prod'],
      volumes: ['/data'],
    });
  });

  it('records nothing for fields a config leaves out, empty or of the wrong type', () => {
    const summary = summarizeImageConfig(
      { author: 42, config: { Cmd: 'sh', Env: [1, 2], WorkingDir: '', Labels: ['x'], ExposedPorts: null } },
      [],
      10,
    );
    expect(summary).toEqual({ labels: {}, layers: 0, size: 10, layerSizes: [] });
    expect(summarizeImageConfig({ config: null }, [], 0)).toEqual({ labels: {}, layers: 0, size: 0, layerSizes: [] });
  });

  it('bounds what a hostile config could make the state hold', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `VAR${i}=${'x'.repeat(5000)}`);
    const labels = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}${'y'.repeat(1000)}`, 'v']));
    const layers = Array.from({ length: 1000 }, (_, i) => layer(i, 1));
    const summary = summarizeImageConfig({ config: { Env: many, Cmd: many, Labels: labels } }, layers, 0);
    expect(summary.env).toHaveLength(IMAGE_CONFIG_LIMITS.entries);
    expect(summary.cmd).toHaveLength(IMAGE_CONFIG_LIMITS.entries);
    expect(summary.env![0]).toBe(`VAR0=${'x'.repeat(IMAGE_CONFIG_LIMITS.valueChars - 5)}… (5005 characters)`);
    expect(Object.keys(summary.labels)).toHaveLength(IMAGE_CONFIG_LIMITS.entries);
    expect(Object.keys(summary.labels).every((key) => key.length < IMAGE_CONFIG_LIMITS.keyChars + 30)).toBe(true);
    expect(summary.layers).toBe(1000);
    expect(summary.layerSizes).toHaveLength(IMAGE_CONFIG_LIMITS.layers);
    expect(JSON.stringify(summary).length).toBeLessThan(500_000);
  });

  it('puts every value on one line without control characters', () => {
    const summary = summarizeImageConfig(
      { author: 'a\nb\u001b[31m', config: { User: 'root\tx', Labels: { 'k\n': 'v\u0007' }, Env: ['A=\r\n1'] } },
      [],
      0,
    );
    expect(summary.author).toBe('a b[31m');
    expect(summary.user).toBe('root x');
    expect(summary.labels).toEqual({ 'k ': 'v' });
    expect(summary.env).toEqual(['A=  1']);
  });
});

describe('the state format with the summary', () => {
  const stateWith = (image: unknown) => ({
    version: 1,
    lineage: 'l',
    serial: 1,
    streams: {
      app: {
        tags: {
          v1: {
            spec: {
              from: 'quay.io/org/app:1',
              importMode: 'Legacy',
              referencePolicy: 'Source',
              scheduled: false,
              insecure: false,
              preferPlatform: null,
            },
            conditions: [],
            items: [
              {
                created: '2026-01-01T00:00:00Z',
                generation: 1,
                digest: `sha256:${'a'.repeat(64)}`,
                mediaType: 'application/vnd.oci.image.manifest.v1+json',
                dockerImageReference: `quay.io/org/app@sha256:${'a'.repeat(64)}`,
                sourceDigest: `sha256:${'a'.repeat(64)}`,
                manifests: [
                  {
                    platform: 'linux/amd64',
                    digest: `sha256:${'a'.repeat(64)}`,
                    mediaType: 'application/vnd.oci.image.manifest.v1+json',
                    size: 400,
                    image,
                  },
                ],
              },
            ],
          },
        },
      },
    },
  });

  it('accepts a state recorded before the summary and one with it', () => {
    expect(stateProblems(stateWith({ labels: {}, layers: 1, size: 10 }))).toEqual([]);
    const summary = summarizeImageConfig({ author: 'x', config: { Cmd: ['sh'], Env: ['A=1'] } }, [layer(1, 9)], 1);
    expect(stateProblems(stateWith(summary))).toEqual([]);
  });

  it('refuses a summary of the wrong shape', () => {
    const problems = stateProblems(stateWith({ labels: {}, layers: 1, size: 10, env: 'A=1', layerSizes: [{}] }));
    expect(problems.join('\n')).toMatch(/env: must be array/);
    expect(problems.join('\n')).toMatch(/layerSizes\/0: must have required property 'digest'/);
  });
});
