import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import { sharedSecureContext } from '../../src/registry/http/tls-context.js';
import { generatePki } from '../helpers/tls.js';

describe('the TLS context of registry connections', () => {
  const pki = generatePki();

  it('is built once for a set of CAs and client certificate, and shared by every connection using them', () => {
    const material = { caPems: [pki.caPem], cert: pki.client.certPem, key: pki.client.keyPem };
    const first = sharedSecureContext(material, 'registry.example');
    expect(sharedSecureContext({ ...material }, 'other.example')).toBe(first);
    expect(sharedSecureContext({ caPems: [pki.caPem] }, 'registry.example')).not.toBe(first);
  });

  it('that cannot be built is a TLSError naming the registry', () => {
    const broken = {
      caPems: [pki.caPem],
      cert: pki.client.certPem,
      key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    };
    const error = (() => {
      try {
        sharedSecureContext(broken, 'registry.example:5000');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ reason: 'TLSError' });
    expect((error as Error).message).toMatch(
      /^cannot use the CA bundle or the client certificate and key of registry\.example:5000: /,
    );
  });
});
