import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface CertsDirFiles {
  caFiles: string[];
  clientCertFile?: string;
  clientKeyFile?: string;
}

/** Where docker and podman look for per-registry certificates, most specific first. */
export function defaultCertsDirs(homeDir: string): string[] {
  return [join(homeDir, '.config', 'containers', 'certs.d'), '/etc/containers/certs.d', '/etc/docker/certs.d'];
}

/**
 * Reads `<dir>/<host:port>/` as docker does: every `*.crt` is a CA, `NAME.cert` with `NAME.key` is a client certificate.
 * The first directory that exists for the host wins.
 */
export function certsDirFiles(host: string, dirs: string[]): CertsDirFiles {
  for (const dir of dirs) {
    const hostDir = join(dir, host);
    let names: string[];
    try {
      names = readdirSync(hostDir).sort();
    } catch {
      continue;
    }
    const out: CertsDirFiles = { caFiles: names.filter((n) => n.endsWith('.crt')).map((n) => join(hostDir, n)) };
    const cert = names.find((n) => n.endsWith('.cert') && names.includes(`${n.slice(0, -'.cert'.length)}.key`));
    if (cert) {
      out.clientCertFile = join(hostDir, cert);
      out.clientKeyFile = join(hostDir, `${cert.slice(0, -'.cert'.length)}.key`);
    }
    return out;
  }
  return { caFiles: [] };
}
