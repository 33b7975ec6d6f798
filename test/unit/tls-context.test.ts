import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import { sharedSecureContext } from '../../src/registry/http/tls-context.js';
import { tempDir } from '../helpers/cli.js';
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

describe('a NODE_EXTRA_CA_CERTS file that cannot be used, for registries with CAs of their own', () => {
  const dir = tempDir('imagestreams-tls-context-').path;
  const pki = generatePki();
  const otherPki = generatePki();

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  /**
   * The warnings the caller is told of while contexts for two registries are built, in a process whose variable
   * names `file`; any written to the process by Node's warning channel is among them, marked.
   */
  async function warningsBuildingContexts(file: string): Promise<string[]> {
    vi.stubEnv('NODE_EXTRA_CA_CERTS', file);
    vi.resetModules();
    const fresh = await import('../../src/registry/http/tls-context.js');
    const warnings: string[] = [];
    vi.spyOn(process, 'emitWarning').mockImplementation((warning) => warnings.push(`process: ${warning}`));
    const warn = (message: string) => warnings.push(message);
    fresh.sharedSecureContext({ caPems: [pki.caPem] }, 'registry.example', warn);
    fresh.sharedSecureContext({ caPems: [otherPki.caPem] }, 'other.example', warn);
    return warnings;
  }

  it('is told to the caller once, naming the variable, the file and what is done without it', async () => {
    const file = join(dir, 'no-pem.pem');
    writeFileSync(file, 'not a certificate\n');
    expect(await warningsBuildingContexts(file)).toEqual([
      `NODE_EXTRA_CA_CERTS: ${file} holds no PEM certificate; going on without it for registries with a CA of their own (ca: or certs.d)`,
    ]);
  });

  it('names a file whose name holds line breaks or escape sequences on one line, without them', async () => {
    const file = join(dir, 'ca\n\u001b[31mwarning: forged.pem');
    writeFileSync(file, 'not a certificate\n');
    const [warning, ...more] = await warningsBuildingContexts(file);
    expect(more).toEqual([]);
    expect(warning).toContain('ca [31mwarning: forged.pem holds no PEM certificate');
    expect(warning).not.toMatch(/\p{Cc}/u);
  });

  it('is left to Node when Node could not open it: Node has warned of it already', async () => {
    expect(await warningsBuildingContexts(join(dir, 'missing.pem'))).toEqual([]);
  });
});
