import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import { expectDescribed, type Manifest, parseManifest, typeName } from '../../src/core/manifest.js';
import {
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_SCHEMA1_SIGNED,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
} from '../../src/core/media-types.js';

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const config = { mediaType: OCI_CONFIG, digest: digest(1), size: 10 };
const layer = { mediaType: OCI_LAYER_GZIP, digest: digest(2), size: 20 };
const child = {
  mediaType: OCI_MANIFEST,
  digest: digest(3),
  size: 30,
  platform: { os: 'linux', architecture: 'amd64' },
};

const image = (fields: Record<string, unknown> = {}) => ({ schemaVersion: 2, config, layers: [layer], ...fields });
const index = (fields: Record<string, unknown> = {}) => ({ schemaVersion: 2, manifests: [child], ...fields });

const bytes = (doc: unknown) => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));

describe('parseManifest accepts', () => {
  const accepted: [string, unknown, string | undefined, Partial<Manifest>][] = [
    ['an OCI index', index({ mediaType: OCI_INDEX }), OCI_INDEX, { kind: 'index', mediaType: OCI_INDEX }],
    [
      'a Docker manifest list',
      index({ mediaType: DOCKER_MANIFEST_LIST }),
      DOCKER_MANIFEST_LIST,
      { kind: 'index', mediaType: DOCKER_MANIFEST_LIST },
    ],
    [
      'an OCI image manifest',
      image({ mediaType: OCI_MANIFEST }),
      OCI_MANIFEST,
      { kind: 'image', mediaType: OCI_MANIFEST },
    ],
    [
      'a Docker schema 2 manifest',
      image({ mediaType: DOCKER_MANIFEST, config: { ...config, mediaType: DOCKER_CONFIG } }),
      DOCKER_MANIFEST,
      { kind: 'image', mediaType: DOCKER_MANIFEST },
    ],
    [
      'a body without mediaType, typed by its Content-Type',
      image(),
      OCI_MANIFEST,
      { kind: 'image', mediaType: OCI_MANIFEST },
    ],
    ['an index without mediaType or Content-Type, as OCI', index(), undefined, { kind: 'index', mediaType: OCI_INDEX }],
    [
      'a Content-Type with parameters and capitals',
      image({ mediaType: OCI_MANIFEST }),
      'Application/VND.oci.image.manifest.v1+json; charset=utf-8',
      { kind: 'image', mediaType: OCI_MANIFEST },
    ],
    [
      'a generic Content-Type, the body saying what it is',
      index({ mediaType: DOCKER_MANIFEST_LIST }),
      'application/json',
      { kind: 'index', mediaType: DOCKER_MANIFEST_LIST },
    ],
  ];

  it.each(accepted)('%s', (_name, doc, contentType, expected) => {
    expect(parseManifest(bytes(doc), contentType)).toMatchObject(expected);
  });

  it('keeps descriptors with their platform, annotations and artifact type', () => {
    const attestation = {
      mediaType: OCI_MANIFEST,
      digest: digest(4),
      size: 40,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
      artifactType: 'application/vnd.in-toto+json',
    };
    const parsed = parseManifest(bytes(index({ mediaType: OCI_INDEX, manifests: [child, attestation] })), OCI_INDEX);
    expect(parsed).toEqual({ kind: 'index', mediaType: OCI_INDEX, manifests: [child, attestation] });
  });
});

describe('parseManifest refuses with InvalidManifest', () => {
  const refused: [string, unknown, string | undefined, RegExp][] = [
    ['bytes that are not JSON', '{"schemaVersion": 2,', OCI_MANIFEST, /^m is not valid JSON$/],
    ['a JSON array', [image()], OCI_MANIFEST, /^m is not a JSON object$/],
    ['a schema 1 body', { schemaVersion: 1, name: 'a/b', tag: 'x', fsLayers: [] }, 'application/json', /schema 1/],
    [
      'a schema 1 Content-Type',
      image(),
      DOCKER_SCHEMA1_SIGNED,
      /^m is a Docker schema 1 manifest, which is deprecated/,
    ],
    ['an unknown schemaVersion', image({ schemaVersion: 3 }), OCI_MANIFEST, /^m does not have schemaVersion 2$/],
    [
      'both "manifests" and "layers"',
      { ...index(), layers: [layer] },
      OCI_INDEX,
      /^m has both "manifests" and "layers"\/"config": ambiguous document refused$/,
    ],
    [
      'both "manifests" and "config"',
      { ...image({ mediaType: OCI_MANIFEST }), manifests: [child] },
      OCI_MANIFEST,
      /^m has both "manifests" and "layers"\/"config"/,
    ],
    [
      'an index body served as an image manifest',
      index({ mediaType: OCI_INDEX }),
      OCI_MANIFEST,
      /^m declares an OCI image index but was served as an OCI image manifest$/,
    ],
    [
      'a Docker manifest served as OCI',
      image({ mediaType: DOCKER_MANIFEST }),
      OCI_MANIFEST,
      /^m declares a Docker image manifest but was served as an OCI image manifest$/,
    ],
    [
      'a list of manifests typed as an image manifest',
      index({ mediaType: OCI_MANIFEST }),
      undefined,
      /^m lists manifests but declares an OCI image manifest$/,
    ],
    [
      'an image manifest typed as an index',
      image({ mediaType: OCI_INDEX }),
      undefined,
      /^m declares an OCI image index but lists no manifests$/,
    ],
    [
      'an unknown media type',
      image({ mediaType: 'application/vnd.example+json' }),
      undefined,
      /^m has an unknown media type \(expected an OCI or Docker v2 manifest or index\)$/,
    ],
    ['"manifests" that is not an array', index({ manifests: {} }), OCI_INDEX, /^m "manifests" is not an array$/],
    ['an image without layers', { schemaVersion: 2, config }, OCI_MANIFEST, /^m "layers" is not an array$/],
    [
      'a descriptor with a bad digest',
      image({ config: { ...config, digest: 'md5:x' } }),
      OCI_MANIFEST,
      /^m config has an invalid digest$/,
    ],
    [
      'a descriptor with a negative size',
      index({ manifests: [{ ...child, size: -1 }] }),
      OCI_INDEX,
      /^m manifests\[0\] has an invalid size$/,
    ],
    [
      'a descriptor without mediaType',
      image({ layers: [{ digest: digest(2), size: 1 }] }),
      OCI_MANIFEST,
      /^m layers\[0\] has no mediaType$/,
    ],
    [
      'annotations that are not strings',
      image({ annotations: { a: 1 } }),
      OCI_MANIFEST,
      /^m annotations must map strings to strings$/,
    ],
  ];

  it.each(refused)('%s', (_name, doc, contentType, message) => {
    const error = catchError(() => parseManifest(bytes(doc), contentType, 'm'));
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).reason).toBe('InvalidManifest');
    expect((error as RegistryError).message).toMatch(message);
  });
});

describe('parseManifest never quotes a value of the document in its errors', () => {
  const SECRET = 'hunter2-Zq81xv';
  it.each([
    ['a digest', image({ config: { ...config, digest: `sha256:${SECRET}` } }), OCI_MANIFEST],
    ['a media type', image({ mediaType: SECRET }), undefined],
    ['a media type served otherwise', image({ mediaType: SECRET }), OCI_MANIFEST],
    ['a schemaVersion', image({ schemaVersion: SECRET }), OCI_MANIFEST],
    ['a list media type', index({ mediaType: SECRET }), undefined],
  ])('%s', (_name, doc, contentType) => {
    const error = catchError(() => parseManifest(bytes(doc), contentType, 'm'));
    expect(error).toMatchObject({ reason: 'InvalidManifest' });
    expect((error as Error).message).not.toContain(SECRET);
  });
});

describe('expectDescribed: a manifest is what the descriptor naming it says', () => {
  const fetched = { mediaType: OCI_MANIFEST, size: 401 };

  it('accepts the same media type and size', () => {
    expect(() => expectDescribed(fetched, { mediaType: OCI_MANIFEST, size: 401 }, 'm', 'the list')).not.toThrow();
  });

  it.each([
    ['another size', { mediaType: OCI_MANIFEST, size: 3 }, /^m is 401 bytes, but the list says 3; refused$/],
    [
      'an index declared as an image manifest',
      { mediaType: OCI_MANIFEST, size: 401 },
      /^m is an OCI image index, but the list says an OCI image manifest; refused$/,
      OCI_INDEX,
    ],
    [
      'a Docker manifest declared as OCI',
      { mediaType: OCI_MANIFEST, size: 401 },
      /^m is a Docker image manifest, but the list says an OCI image manifest; refused$/,
      DOCKER_MANIFEST,
    ],
    [
      'a media type it does not know, unquoted',
      { mediaType: 'application/x-secret-value', size: 401 },
      /^m is an OCI image manifest, but the list says an unknown media type; refused$/,
    ],
  ])('refuses %s with InvalidManifest', (_name, descriptor, message, actualType = OCI_MANIFEST) => {
    const error = catchError(() => expectDescribed({ ...fetched, mediaType: actualType }, descriptor, 'm', 'the list'));
    expect(error).toMatchObject({ reason: 'InvalidManifest', message: expect.stringMatching(message) });
  });

  it('names the media types it knows in words', () => {
    expect(
      [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST, DOCKER_SCHEMA1_SIGNED].map(typeName),
    ).toEqual([
      'an OCI image index',
      'a Docker manifest list',
      'an OCI image manifest',
      'a Docker image manifest',
      'a Docker schema 1 manifest',
    ]);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('what a manifest says, in an error', () => {
  it.each([
    ['its media type', { schemaVersion: 2, mediaType: 'x'.repeat(1_000_000), layers: [] }],
    ['its schema version', { schemaVersion: 'x'.repeat(1_000_000) }],
    [
      'a descriptor digest',
      { schemaVersion: 2, manifests: [{ mediaType: 'a', size: 1, digest: 'x'.repeat(1_000_000) }] },
    ],
  ])('is described, never repeated: %s', (_name, doc) => {
    const error = catchError(() => parseManifest(Buffer.from(JSON.stringify(doc)))) as Error;
    expect(error.message).not.toMatch(/x{10}/);
    expect(error.message.length).toBeLessThan(300);
  });
});
