import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type ListeningServer, listenOnLoopback } from '../helpers/http-server.js';
import { generatePki, type TestPki } from '../helpers/tls.js';
import { Workspace } from '../helpers/workspace.js';

/**
 * The verdict of a TLS handshake with each server over the context a registry connection gets for `caPems`, in a
 * process of its own: with `systemCa`, that process's system store is OpenSSL's and holds that CA only; with
 * `extraCa`, that file is its NODE_EXTRA_CA_CERTS.
 */
async function handshakes(ports: number[], caPems: string[], systemCa?: string, extraCa?: string): Promise<string[]> {
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
    env: {
      PATH: process.env.PATH,
      ...(systemCa !== undefined && { SSL_CERT_FILE: systemCa }),
      ...(extraCa !== undefined && { NODE_EXTRA_CA_CERTS: extraCa }),
    },
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

  it("are NODE_EXTRA_CA_CERTS's too, as for a registry with no CA of its own", async () => {
    const ports = servers.map((server) => server.port);
    const trusted = ['trusted', 'trusted'];
    expect(await handshakes(ports, [catalogCa.caPem], undefined, systemCa.caCertPath)).toEqual(trusted);
    expect(await handshakes(ports, [catalogCa.caPem], catalogCa.caCertPath, systemCa.caCertPath)).toEqual(trusted);
  });
});

describe('a registry with a CA of its own, for a user whose CA is in NODE_EXTRA_CA_CERTS', () => {
  const { registry, upstream } = useRegistry({ tls: true });
  const work = new Workspace('imagestreams-extra-ca-');
  const source = () => `${registry.host}/e2e/tls:1`;

  beforeAll(async () => {
    await upstream.push('e2e/tls', '1', { platforms: ['linux/amd64'] });
    writeFileSync(work.file('unrelated-ca.pem'), generatePki().caPem);
    work.writeCatalog({
      registries: { [registry.host]: { ca: 'unrelated-ca.pem' } },
      streams: { app: { '1': { from: source() } } },
    });
  });

  it("trusts NODE_EXTRA_CA_CERTS's CAs besides its own", async () => {
    const env = { NODE_EXTRA_CA_CERTS: registry.ca!.caCertPath };
    const result = await work.expectRun(['plan'], 0, { env });
    expect(result.stdout).toContain('Plan: 1 to import, 0 to re-import, 0 to remove.');
    expect(result.stderr).toBe('');
  });

  it('trusts no more than its own and the system CAs without it', async () => {
    const result = await work.expectRun(['plan'], 1, { env: { NODE_EXTRA_CA_CERTS: undefined } });
    expect(result.stdout).toContain(
      `✗ app:1: TLS connection to ${registry.host} failed (certificate signed by an unknown authority)`,
    );
  });

  it('warns once of a NODE_EXTRA_CA_CERTS file with no certificate in it, and goes on without it', async () => {
    const file = work.file('not-a-ca.pem');
    writeFileSync(file, 'not a certificate\n');
    const result = await work.expectRun(['plan'], 1, { env: { NODE_EXTRA_CA_CERTS: file } });
    expect(result.stderr).toBe(
      `warning: NODE_EXTRA_CA_CERTS: ${file} holds no PEM certificate; going on without it for registries with a CA of their own (ca: or certs.d)\n`,
    );
    expect(result.stdout).toContain('certificate signed by an unknown authority');
  });

  it("leaves a missing NODE_EXTRA_CA_CERTS file to Node's own warning: one line, naming the file", async () => {
    const file = work.file('missing-ca.pem');
    const result = await work.expectRun(['plan'], 1, { env: { NODE_EXTRA_CA_CERTS: file } });
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Warning: /);
    expect(lines[0]).toContain(file);
    expect(result.stdout).toContain('certificate signed by an unknown authority');
  });
});
