import { durationText } from '../../core/duration-text.js';
import { clipped } from '../../core/echoed-text.js';
import { RegistryError } from '../../core/errors.js';
import type { DeadlinePolicy, DeadlineProgress } from '../http/deadline.js';
import { errorCode } from '../http/error-code.js';
import type { RegistryText } from '../http/registry-text.js';

/** Where a request went, as messages name it. */
export interface Peer {
  /** The registry the request was for, as written in references. */
  registry: string;
  /** The host the request went to when it is not the registry: its token server, or where it redirected. */
  other?: { role: 'token server' | 'redirect target'; host: string };
}

/**
 * Names `url` as a peer of `registry`, served at `apiHost`: the registry itself, or another host in `role`, its name
 * scrubbed.
 */
export function peerAt(
  registry: string,
  apiHost: string,
  text: RegistryText,
  other?: { role: 'token server' | 'redirect target'; url: URL },
): Peer {
  if (!other || other.url.host === apiHost) return { registry };
  return { registry, other: { role: other.role, host: text.show(other.url.host, 100) } };
}

/** `registry R`, `token server H of registry R`, `H (a redirect target of registry R)`. */
export function peerName(peer: Peer): string {
  if (!peer.other) return `registry ${peer.registry}`;
  if (peer.other.role === 'token server') return `token server ${peer.other.host} of registry ${peer.registry}`;
  return `${peer.other.host} (where registry ${peer.registry} redirected)`;
}

const TLS_CODES = new Set([
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
]);

export function isTlsError(error: unknown): boolean {
  const code = errorCode(error);
  if (code === undefined) return false;
  return TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_');
}

/** True when a TLS handshake failed because the server answered in plain HTTP. */
export function isPlainHttpAnswer(error: unknown): boolean {
  const code = errorCode(error);
  const message = String((error as Error)?.message ?? '') + String(((error as Error)?.cause as Error)?.message ?? '');
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(message);
}

/** Failures to reach the peer or to hear it out. */
const UNREACHABLE: Record<string, string> = {
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'the server closed the connection while the request was being sent',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the response body',
  UND_ERR_SOCKET: 'connection closed unexpectedly',
  UND_ERR_CLOSED: 'connection closed unexpectedly',
  UND_ERR_DESTROYED: 'connection closed unexpectedly',
  UND_ERR_ABORTED: 'the request was aborted',
  UND_ERR_INFO: 'connection closed unexpectedly',
  ERR_HTTP2_STREAM_ERROR: 'the server reset the request (HTTP/2 stream error)',
  ERR_HTTP2_SESSION_ERROR: 'the server closed the HTTP/2 connection with an error',
  ERR_HTTP2_GOAWAY_SESSION: 'connection closed unexpectedly',
  ERR_HTTP2_INVALID_SESSION: 'connection closed unexpectedly',
};

/** Answers that are not HTTP as a client can read it. */
const INVALID_ANSWER: Record<string, string> = {
  UND_ERR_HEADERS_OVERFLOW: 'its response headers are larger than 16 KiB',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'the response body does not have the length its Content-Length declares',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'the response is larger than allowed',
};

/** Requests this client could not send as built. */
const UNSENDABLE: Record<string, string> = {
  UND_ERR_INVALID_ARG: 'a header or the address is not valid in HTTP',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'the request body did not have the length announced',
  UND_ERR_NOT_SUPPORTED: 'the request uses a feature the HTTP client does not support',
};

/**
 * Maps a failure below HTTP (DNS, TCP, TLS, timeouts, malformed answers) to a RegistryError whose message names the
 * peer and says what a user can do; `proxy` is the host:port of the forward proxy the request went through, if any.
 */
export function networkError(error: unknown, peer: Peer, insecure: boolean, proxy?: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const code = errorCode(error);
  const name = peerName(peer);
  if (isTlsError(error)) {
    const reason = tlsReason(error, code ?? 'handshake failed');
    const to = peer.other ? name : peer.registry;
    return new RegistryError(
      'TLSError',
      `TLS connection to ${to} failed (${reason})${tlsHint(error, peer, insecure)}`,
      {
        cause: error,
      },
    );
  }
  const through = proxy ? ` through proxy ${proxy}` : '';
  if (code?.startsWith('HPE_') || (code && code in INVALID_ANSWER)) {
    const reason = INVALID_ANSWER[code] ?? 'the answer is not valid HTTP';
    return new RegistryError('InternalError', `${name}${through} sent an answer that cannot be read: ${reason}`, {
      cause: error,
    });
  }
  if (code && code in UNSENDABLE) {
    return new RegistryError('InternalError', `could not send a request to ${name}: ${UNSENDABLE[code]}`, {
      cause: error,
    });
  }
  const reason = proxyRefusal(error) ?? (code && UNREACHABLE[code]) ?? unexpected(error, code);
  return new RegistryError('Unreachable', `cannot reach ${name}${through}: ${reason}`, { cause: error });
}

function tlsHint(error: unknown, peer: Peer, insecure: boolean): string {
  if (insecure) return '';
  const registry = peer.registry;
  if (peer.other) {
    return `; ${peer.other.host} is verified with the TLS settings of ${registry}: add its CA to the "ca:" of ${registry} (or --ca-file), or set "insecure: true" for ${registry} to skip verification`;
  }
  if (isPlainHttpAnswer(error)) {
    return `; the registry seems to speak plain HTTP: set "insecure: true" for ${registry} (registry or tag) to allow it`;
  }
  return `; add the registry's CA with "ca:" (or --ca-file), or set "insecure: true" for ${registry} to skip verification`;
}

/** undici's words when a proxy answers CONNECT with something else than 200. */
function proxyRefusal(error: unknown): string | undefined {
  const status = /Proxy response \((\d+)\)/.exec(String((error as Error)?.message ?? ''))?.[1];
  return status ? `the proxy refused the connection (HTTP ${status})` : undefined;
}

/** A failure no table knows: said as such, with the system's words (never a bare code or "error"). */
function unexpected(error: unknown, code: string | undefined): string {
  const message = error instanceof Error ? error.message : '';
  const words = message && !/^UND_ERR/.test(message) ? clipped(message.replace(/\s+/g, ' '), 120) : undefined;
  if (words && code && !code.startsWith('UND_ERR')) return `the connection failed (${code}: ${words})`;
  if (words) return `the connection failed (${words})`;
  return code && !code.startsWith('UND_ERR') ? `the connection failed (${code})` : 'the connection failed';
}

function tlsReason(error: unknown, code: string): string {
  if (isPlainHttpAnswer(error)) return 'the server did not answer with TLS';
  const known: Record<string, string> = {
    DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
    SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by an unknown authority',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by an unknown authority',
    UNABLE_TO_GET_ISSUER_CERT: 'certificate signed by an unknown authority',
    CERT_HAS_EXPIRED: 'certificate has expired',
    CERT_NOT_YET_VALID: 'certificate is not yet valid',
    ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is not valid for this host name',
    HOSTNAME_MISMATCH: 'certificate is not valid for this host name',
  };
  return known[code] ?? code;
}

/** A request that missed its overall deadline (see deadline.ts): Unreachable, naming the peer and the limits. */
export function timedOutError(peer: Peer, progress: DeadlineProgress, policy: DeadlinePolicy): RegistryError {
  const after = `${(progress.elapsedMs / 1000).toFixed(1)}s`;
  const got = !progress.answered
    ? `no answer after ${after}`
    : progress.declared !== undefined
      ? `${progress.received} of ${progress.declared} bytes after ${after}`
      : `${progress.received} bytes after ${after}, and more to come`;
  const limits = `a request may take requestTimeout (${durationText(policy.graceMs, { round: 'up' })}) plus its size at minBytesPerSecond (${policy.minBytesPerSecond})`;
  return new RegistryError(
    'Unreachable',
    `${peerName(peer)} timed out: ${got}; ${limits}, both set per registry in the catalog`,
  );
}
