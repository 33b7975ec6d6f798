import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

const PREFIX = 'hmac-sha256:';
const SIGNATURE = /^hmac-sha256:[a-f0-9]{64}$/;

/**
 * `hmac-sha256:<hex>` over the canonical JSON of `content` (keys sorted, no spaces): the same content signs the same
 * however the file holding it is indented.
 */
export function planSignature(content: unknown, key: Uint8Array): string {
  return `${PREFIX}${hmac(content, key).toString('hex')}`;
}

/** True when `signature` is the signature of `content` with `key`; compared in constant time. */
export function signatureMatches(content: unknown, signature: unknown, key: Uint8Array): boolean {
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signature.slice(PREFIX.length), 'hex'), hmac(content, key));
}

function hmac(content: unknown, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(canonicalJson(content), 'utf8').digest();
}
