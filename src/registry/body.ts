import { digestAlgorithm, digestOf } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import type { HttpResponse } from './http/transport.js';
import { headerValue } from './http/transport.js';

/**
 * Reads a response body into memory, refusing more than `maxBytes` (by Content-Length when declared, and while reading
 * whatever it declared), and refusing a body that echoes a secret the request carried (see RegistryText): such data
 * would carry it into the state and the plan. `what` names the body in the error.
 */
export async function readCapped(res: HttpResponse, maxBytes: number, what: string): Promise<Uint8Array> {
  const bytes = await readUpTo(res, maxBytes, what);
  if (res.echoCheck?.foundInBytes(bytes)) {
    throw new RegistryError(
      'InvalidManifest',
      `${what}: the registry's answer holds a credential that was sent to it; refused, so that it goes no further`,
    );
  }
  return bytes;
}

/** `readCapped` without the echo check: for an error body, whose words are only shown scrubbed. */
export async function readUpTo(res: HttpResponse, maxBytes: number, what: string): Promise<Uint8Array> {
  const declared = Number(headerValue(res.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    throw tooLarge(what, declared, maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > maxBytes) {
      res.body.destroy();
      throw tooLarge(what, total, maxBytes, true);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

/** Discards a body so the connection can be reused. */
export async function drain(res: HttpResponse): Promise<void> {
  try {
    await res.body.dump({ limit: 64 * 1024 });
  } catch {
    // the connection is dropped instead; nothing to report
  }
}

function tooLarge(what: string, size: number, max: number, atLeast = false): RegistryError {
  const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(n < 1024 * 1024 ? 3 : 1)} MiB`;
  return new RegistryError(
    'InvalidManifest',
    `${what} is ${atLeast ? 'more than ' : ''}${mib(size)}, over the ${mib(max)} limit; refused`,
  );
}

/** Throws InvalidManifest unless `bytes` hash to `expected` (with the algorithm `expected` names). */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string): void {
  const actual = digestOf(bytes, digestAlgorithm(expected));
  if (actual !== expected) {
    throw new RegistryError(
      'InvalidManifest',
      `${what}: content digest ${actual} does not match the expected ${expected}`,
    );
  }
}
