import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { printable } from '../../core/echoed-text.js';

/** Five times the largest CA bundle a Linux distribution ships (some 220 KiB): more is not a list of CAs. */
export const MAX_EXTRA_CA_BYTES = 1024 * 1024;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

/** The certificates of a NODE_EXTRA_CA_CERTS file, and what was wrong with it, if anything. */
export interface ExtraCaCerts {
  pems: string[];
  problem?: string;
  /**
   * Whether Node has told the user of the problem itself: of a file it cannot open, and of no other, it prints
   * "Warning: Ignoring extra certs from `FILE`, load failed: …" on its own.
   */
  toldByNode?: boolean;
}

/**
 * The PEM certificates in `file`, read as untrusted input: a regular file of at most MAX_EXTRA_CA_BYTES. A file that
 * cannot be used gives none and the problem. Certificates are not parsed here: a corrupt one is left out by the
 * TLS context it is added to, and Node itself warns of it, as of a file it cannot read, when it starts.
 */
export function readExtraCaCerts(file: string): ExtraCaCerts {
  // The variable may hold any characters: a problem names the file on one line, without control characters.
  const shown = printable(file);
  const text = boundedText(file, shown);
  if (typeof text !== 'string') return { pems: [], ...text };
  const pems = text.match(PEM_CERTIFICATE) ?? [];
  return pems.length > 0 ? { pems } : { pems: [], problem: `${shown} holds no PEM certificate` };
}

function boundedText(file: string, shown: string): string | { problem: string; toldByNode?: boolean } {
  let fd: number;
  try {
    // Non-blocking: a FIFO opens at once instead of waiting for a writer.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { ...unreadable(shown, error), toldByNode: true };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { problem: `${shown} is not a regular file` };
    if (stat.size > MAX_EXTRA_CA_BYTES) return { problem: `${shown} is larger than ${MAX_EXTRA_CA_BYTES} bytes` };
    return readUpTo(fd, stat.size);
  } catch (error) {
    return unreadable(shown, error);
  } finally {
    closeSync(fd);
  }
}

function unreadable(file: string, error: unknown): { problem: string } {
  return { problem: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
}

/** The first `size` bytes of the file, or fewer if it has shrunk since. */
function readUpTo(fd: number, size: number): string {
  const buffer = Buffer.alloc(size);
  let filled = 0;
  while (filled < size) {
    const read = readSync(fd, buffer, filled, size - filled, filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.toString('utf8', 0, filled);
}

/**
 * `pems` without the certificates Node's bundled CA store already holds, compared by their base64 text. A
 * NODE_EXTRA_CA_CERTS that names the whole system bundle (as many CI images set it) then adds the dozen CAs Node
 * lacks, not 150: each added certificate costs a parse.
 */
export function withoutBundledCas(pems: readonly string[], bundled: readonly string[]): string[] {
  const known = new Set(bundled.map(pemBody));
  return pems.filter((pem) => !known.has(pemBody(pem)));
}

function pemBody(pem: string): string {
  return pem.replace(/-----[^-]*-----|\s/g, '');
}

/**
 * Whether Node's CA store is its bundled list: not when it was built to use OpenSSL's store, or started with
 * `--use-openssl-ca` (on its command line or in NODE_OPTIONS) and not `--use-bundled-ca`.
 */
export function nodeStoreIsBundled(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
  builtWithOpensslStore: boolean,
): boolean {
  let openssl = builtWithOpensslStore;
  for (const flag of [...(nodeOptions ?? '').split(/\s+/), ...execArgv]) {
    if (flag === '--use-openssl-ca') openssl = true;
    else if (flag === '--use-bundled-ca') openssl = false;
  }
  return !openssl;
}
