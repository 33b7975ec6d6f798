import { describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE } from '../../src/registry/http/deadline.js';
import { networkError, type Peer, timedOutError } from '../../src/registry/wording/network.js';

const failure = (code: string | undefined, message = 'low-level words') =>
  Object.assign(new Error(message), code === undefined ? {} : { code });

const REGISTRY: Peer = { registry: 'registry.example:5000' };
const TOKEN_SERVER: Peer = { registry: 'registry.example:5000', other: { role: 'token server', host: 'auth.example' } };

describe('networkError', () => {
  it.each([
    ['ECONNREFUSED', 'Unreachable', 'cannot reach registry registry.example:5000: connection refused'],
    ['UND_ERR_SOCKET', 'Unreachable', 'cannot reach registry registry.example:5000: connection closed unexpectedly'],
    [
      'UND_ERR_HEADERS_OVERFLOW',
      'InternalError',
      'registry registry.example:5000 sent an answer that cannot be read: its response headers are larger than 16 KiB',
    ],
    [
      'HPE_INVALID_HEADER_TOKEN',
      'InternalError',
      'registry registry.example:5000 sent an answer that cannot be read: the answer is not valid HTTP',
    ],
    [
      'UND_ERR_INVALID_ARG',
      'InternalError',
      'could not send a request to registry registry.example:5000: a header or the address is not valid in HTTP',
    ],
  ])('says what %s means, never the bare code', (code, reason, message) => {
    const error = networkError(failure(code), REGISTRY, false);
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(message);
  });

  it('gives the words of a failure it has no entry for, never a bare "error"', () => {
    expect(networkError(failure(undefined, 'socket hang up'), REGISTRY, false).message).toBe(
      'cannot reach registry registry.example:5000: the connection failed (socket hang up)',
    );
    expect(networkError({}, REGISTRY, false).message).toBe(
      'cannot reach registry registry.example:5000: the connection failed',
    );
    expect(networkError(failure('UND_ERR_SOMETHING_NEW', 'UND_ERR_SOMETHING_NEW'), REGISTRY, false).message).toBe(
      'cannot reach registry registry.example:5000: the connection failed',
    );
  });

  it('names the token server, not the registry, when the token request failed', () => {
    expect(networkError(failure('ECONNREFUSED'), TOKEN_SERVER, false).message).toBe(
      'cannot reach token server auth.example of registry registry.example:5000: connection refused',
    );
  });

  it("hints at the registry's TLS settings for a token server's unknown certificate authority", () => {
    const error = networkError(failure('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), TOKEN_SERVER, false);
    expect(error.reason).toBe('TLSError');
    expect(error.message).toBe(
      'TLS connection to token server auth.example of registry registry.example:5000 failed (certificate signed by an unknown authority); auth.example is verified with the TLS settings of registry.example:5000: add its CA to the "ca:" of registry.example:5000 (or --ca-file), or set "insecure: true" for registry.example:5000 to skip verification',
    );
  });

  it('says in words how an HTTP/2 connection failed under a request', () => {
    expect(networkError(failure('ERR_HTTP2_STREAM_ERROR'), REGISTRY, false).message).toBe(
      'cannot reach registry registry.example:5000: the server reset the request (HTTP/2 stream error)',
    );
    expect(networkError(failure('ERR_HTTP2_SESSION_ERROR'), REGISTRY, false).message).toBe(
      'cannot reach registry registry.example:5000: the server closed the HTTP/2 connection with an error',
    );
  });

  it('names a redirect target as such', () => {
    const peer: Peer = { registry: 'r.example', other: { role: 'redirect target', host: 'cdn.example' } };
    expect(networkError(failure('ECONNRESET'), peer, false).message).toBe(
      'cannot reach cdn.example (where registry r.example redirected): connection reset by the server',
    );
  });
});

describe('timedOutError', () => {
  it('says how far the answer got and which settings allow more time', () => {
    const error = timedOutError(
      REGISTRY,
      { elapsedMs: 2_080, answered: true, received: 12, declared: 1000 },
      {
        graceMs: 2_000,
        minBytesPerSecond: 1024,
      },
    );
    expect(error.reason).toBe('Unreachable');
    expect(error.message).toBe(
      'registry registry.example:5000 timed out: 12 of 1000 bytes after 2.1s; a request may take requestTimeout (2s) plus its size at minBytesPerSecond (1024), both set per registry in the catalog',
    );
  });

  it('says when no answer came at all', () => {
    const error = timedOutError(TOKEN_SERVER, { elapsedMs: 60_000, answered: false, received: 0 }, DEFAULT_DEADLINE);
    expect(error.message).toMatch(
      /^token server auth\.example of registry registry\.example:5000 timed out: no answer after 60\.0s; a request may take requestTimeout \(1m\) plus its size at minBytesPerSecond \(65536\)/,
    );
  });
});
