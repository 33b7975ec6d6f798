import { createHash } from 'node:crypto';
import { InvalidReferenceError } from './errors.js';

const DIGEST_PATTERNS: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

/** True when `text` is `sha256:<64 hex>` or `sha512:<128 hex>` (lowercase), the only forms we accept. */
export function isDigest(text: string): boolean {
  const colon = text.indexOf(':');
  if (colon < 0) return false;
  const pattern = DIGEST_PATTERNS[text.slice(0, colon)];
  return pattern?.test(text.slice(colon + 1)) ?? false;
}

/** Returns the digest unchanged, or throws when it is not a supported, well-formed digest. */
export function assertDigest(text: string, what = 'digest'): string {
  if (!isDigest(text))
    throw new InvalidReferenceError(`invalid ${what} ${JSON.stringify(text)}: expected sha256:<64 hex digits>`);
  return text;
}

export function digestAlgorithm(digest: string): 'sha256' | 'sha512' {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Digest of `bytes` with the algorithm `expected` uses. */
export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** `sha256:0123456789ab` — 12 hex digits, as shown in text plans. */
export function shortDigest(digest: string, length = 12): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest : digest.slice(0, colon + 1 + length);
}
