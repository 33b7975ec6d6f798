import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import {
  MAX_EXTRA_CA_BYTES,
  nodeStoreIsBundled,
  readExtraCaCerts,
  withoutBundledCas,
} from '../../src/registry/http/extra-ca-certs.js';
import { tempDir } from '../helpers/cli.js';
import { generatePki } from '../helpers/tls.js';

describe('the CAs of a NODE_EXTRA_CA_CERTS file', () => {
  const dir = tempDir('imagestreams-extra-ca-').path;
  const pki = generatePki();
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const fifo = (name: string): string => {
    const path = join(dir, name);
    execFileSync('mkfifo', [path]);
    return path;
  };

  it('are each PEM certificate in it, text around them ignored', () => {
    const path = file('bundle.pem', `# corporate CAs\n${pki.caPem}\n${pki.server.certPem}`);
    expect(readExtraCaCerts(path)).toEqual({ pems: [pki.caPem.trim(), pki.server.certPem.trim()] });
  });

  it('are passed on unparsed: the TLS context leaves out a corrupt one, which Node warns of', () => {
    const corrupt = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    const path = file('corrupt.pem', `${corrupt}\n${pki.caPem}`);
    expect(readExtraCaCerts(path)).toEqual({ pems: [corrupt, pki.caPem.trim()] });
  });

  it.each([
    ['a file that holds no certificate', () => file('empty.pem', 'not a certificate\n'), 'holds no PEM certificate'],
    ['a missing file', () => join(dir, 'missing.pem'), 'cannot read'],
    ['a directory', () => dir, 'is not a regular file'],
    ['a device', () => '/dev/zero', 'is not a regular file'],
    ['a FIFO no one writes to', () => fifo('fifo'), 'is not a regular file'],
    ['a larger file', () => file('large.pem', pki.caPem.repeat(MAX_EXTRA_CA_BYTES / 1000)), 'is larger than'],
  ])('are none in %s, with the problem named', (_, path, problem) => {
    const read = readExtraCaCerts(path());
    expect(read.pems).toEqual([]);
    expect(read.problem).toContain(problem);
  });

  it('are none in a file that cannot be opened, a problem Node itself tells of, as of no other', () => {
    expect(readExtraCaCerts(join(dir, 'missing.pem'))).toMatchObject({ pems: [], toldByNode: true });
    expect(readExtraCaCerts(file('no-pem.pem', 'not a certificate\n')).toldByNode).toBeUndefined();
    expect(readExtraCaCerts(dir).toldByNode).toBeUndefined();
  });
});

describe("the NODE_EXTRA_CA_CERTS CAs added beside a registry's own", () => {
  const pki = generatePki();
  const [bundledCa] = rootCertificates;

  it("leave out those Node's bundled store holds, however their lines are wrapped", () => {
    const rewrapped = bundledCa!.replace(/\n/g, '\r\n');
    expect(withoutBundledCas([rewrapped, pki.caPem], rootCertificates)).toEqual([pki.caPem]);
  });

  it.each([
    [[], undefined, false, true],
    [['--use-openssl-ca'], undefined, false, false],
    [[], '--max-old-space-size=512 --use-openssl-ca', false, false],
    [[], undefined, true, false],
    [['--use-bundled-ca'], undefined, true, true],
    [['--use-bundled-ca'], '--use-openssl-ca', false, true],
  ])(
    'know whether the store is the bundled one: flags %j, NODE_OPTIONS %j, built for OpenSSL %j',
    (argv, options, built, bundled) => {
      expect(nodeStoreIsBundled(argv, options, built)).toBe(bundled);
    },
  );
});
