import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './cleanup.js';

export interface CertificateFiles {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, both signed by the CA. */
export interface TestPki {
  dir: string;
  ca: CertificateFiles;
  server: CertificateFiles;
  client: CertificateFiles;
  caCertPath: string;
  caPem: string;
}

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = imagestreams test
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
[signing_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
`;

const VALIDITY_DAYS = '7';

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

function writeConfig(dir: string): string {
  const path = join(dir, 'openssl.cnf');
  writeFileSync(path, OPENSSL_CONFIG);
  return path;
}

function readFiles(dir: string, name: string): CertificateFiles {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  return { certPath, keyPath, certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}

function selfSigned(dir: string, name: string, subject: string, extensions: string): CertificateFiles {
  const config = writeConfig(dir);
  openssl(
    ['req', '-x509', '-config', config, '-extensions', extensions, '-newkey', 'rsa:2048', '-nodes', '-sha256'].concat([
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      VALIDITY_DAYS,
      '-subj',
      subject,
    ]),
    dir,
  );
  return readFiles(dir, name);
}

function signedBy(
  ca: CertificateFiles,
  dir: string,
  name: string,
  subject: string,
  extensions: string,
): CertificateFiles {
  const config = writeConfig(dir);
  openssl(
    ['req', '-new', '-config', config, '-newkey', 'rsa:2048', '-nodes', '-sha256'].concat([
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ]),
    dir,
  );
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-sha256']
      .concat(['-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', VALIDITY_DAYS])
      .concat(['-extfile', config, '-extensions', extensions, '-out', `${name}.crt`]),
    dir,
  );
  return readFiles(dir, name);
}

export function generatePki(dir: string = makeTempDir('imagestreams-pki-')): TestPki {
  mkdirSync(dir, { recursive: true });
  const ca = selfSigned(dir, 'ca', '/CN=imagestreams test CA', 'ca_ext');
  const server = signedBy(ca, dir, 'server', '/CN=localhost', 'server_ext');
  const client = signedBy(ca, dir, 'client', '/CN=imagestreams test client', 'client_ext');
  return { dir, ca, server, client, caCertPath: ca.certPath, caPem: ca.certPem };
}

/** A self-signed RSA certificate for signing (the token server's JWT key; the registry's `rootcertbundle`). */
export function generateSigningCertificate(dir: string = makeTempDir('imagestreams-signing-')): CertificateFiles {
  mkdirSync(dir, { recursive: true });
  return selfSigned(dir, 'signing', '/CN=imagestreams test token issuer', 'signing_ext');
}

/**
 * A docker/podman `certs.d/<host:port>/` style directory: `ca.crt`, and with `client` also `client.cert` + `client.key`.
 * skopeo takes it as `--cert-dir`.
 */
export function writeCertsDir(pki: TestPki, dir: string, options: { client?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.crt'), pki.caPem);
  if (options.client) {
    writeFileSync(join(dir, 'client.cert'), pki.client.certPem);
    writeFileSync(join(dir, 'client.key'), pki.client.keyPem);
  }
  return dir;
}
