import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { type ListeningServer, listenOnLoopback } from '../helpers/http-server.js';
import { generatePki, type TestPki } from '../helpers/tls.js';

/**
 * The verdict of a TLS handshake with each server over the context a registry connection gets for `caPems`, in a
 * process of its own: with `systemCa`, that process's system store is OpenSSL's and holds that CA only.
 */
async function handshakes(ports: number[], caPems: string[], systemCa?: string): Promise<string[]> {
  const script = `
    import { connect } from 'node:tls';
    import { sharedSecureContext } from ${JSON.stringify(join(REPO_ROOT, 'dist/registry/http/tls-context.js'))};
    const secureContext = sharedSecureContext({ caPems: ${JSON.stringify(caPems)} }, 'registry.test');
    for (const port of ${JSON.stringify(ports)}) {
      const verdict = await new Promise((done) => {
        const socket = connect({ host: '127.0.0.1', port, secureContext }, () => { socket.end(); done('trusted'); });
        socket.on('error', (error) => done(error.code));
      });
      console.log(verdict);
    }`;
  const system = systemCa === undefined ? [] : ['--use-openssl-ca'];
  const { stdout } = await promisify(execFile)(process.execPath, [...system, '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, ...(systemCa !== undefined && { SSL_CERT_FILE: systemCa }) },
  });
  return stdout.trim().split('\n');
}

describe('the CAs a registry connection trusts', () => {
  let catalogCa: TestPki;
  let systemCa: TestPki;
  let servers: ListeningServer[];

  beforeAll(async () => {
    catalogCa = generatePki();
    systemCa = generatePki();
    servers = await Promise.all(
      [catalogCa, systemCa].map((pki) => listenOnLoopback((_, res) => res.end(), pki.server)),
    );
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  it("are the system's and the registry's own CAs besides", async () => {
    const ports = servers.map((server) => server.port);
    expect(await handshakes(ports, [catalogCa.caPem], systemCa.caCertPath)).toEqual(['trusted', 'trusted']);
  });

  it('are no more than that: a server signed by neither is refused', async () => {
    const ports = servers.map((server) => server.port);
    expect(await handshakes(ports, [catalogCa.caPem])).toEqual(['trusted', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
  });
});
