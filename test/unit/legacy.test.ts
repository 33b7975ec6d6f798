import { describe, expect, it } from 'vitest';
import { selectLegacyChild } from '../../src/core/legacy.js';
import type { Descriptor } from '../../src/core/manifest.js';
import { OCI_MANIFEST } from '../../src/core/media-types.js';

function child(platform: string, n: number, attestation = false): Descriptor {
  const [os, architecture, variant] = platform.split('/');
  return {
    mediaType: OCI_MANIFEST,
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
    size: 100 + n,
    platform: { os, architecture, ...(variant && { variant }) },
    ...(attestation && { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }),
  };
}

const att = child('unknown/unknown', 9, true);
const amd = child('linux/amd64', 1);
const arm64 = child('linux/arm64/v8', 2);
const armv6 = child('linux/arm/v6', 3);
const armv7 = child('linux/arm/v7', 4);
const ppc = child('linux/ppc64le', 5);

describe('selectLegacyChild', () => {
  it.each([
    ['the tag preference first', [att, amd, arm64], 'linux/arm64', 'linux/amd64', arm64, 'tag preference'],
    ['a normalised tag preference', [amd, arm64], 'linux/aarch64', 'linux/amd64', arm64, 'tag preference'],
    ['the catalog default when the tag has none', [amd, arm64], null, 'linux/arm64/v8', arm64, 'default platform'],
    [
      'the catalog default when the tag preference is absent from the list',
      [amd, ppc],
      'linux/s390x',
      'linux/ppc64le',
      ppc,
      'default platform',
    ],
    [
      'linux/amd64 when neither preference is present',
      [att, ppc, amd],
      'linux/s390x',
      'linux/arm64',
      amd,
      'linux/amd64',
    ],
    [
      'the first non-attestation child otherwise',
      [att, ppc, arm64],
      'linux/s390x',
      'linux/riscv64',
      ppc,
      'first child',
    ],
    ['any variant for a preference without one', [armv6, armv7], 'linux/arm', 'linux/amd64', armv6, 'tag preference'],
    ['the exact variant when one is named', [armv6, armv7], 'linux/arm/v7', 'linux/amd64', armv7, 'tag preference'],
  ] as const)('takes %s', (_name, children, tag, catalogDefault, expected, rule) => {
    expect(selectLegacyChild([...children], { tag, catalogDefault })).toEqual({ descriptor: expected, rule });
  });

  it('never picks an attestation manifest', () => {
    expect(selectLegacyChild([att], { tag: 'unknown/unknown', catalogDefault: 'linux/amd64' })).toBeUndefined();
  });
});
