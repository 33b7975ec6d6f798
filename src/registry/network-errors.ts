import { RegistryError } from '../core/errors.js';
import { errorCode } from './retry.js';

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

/**
 * Maps a failure below HTTP (DNS, TCP, TLS, timeouts) to a RegistryError whose message a user can act on;
 * `proxy` is the host:port of the forward proxy the request went through, if any.
 */
export function networkError(error: unknown, host: string, insecure: boolean, proxy?: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const code = errorCode(error) ?? 'error';
  if (isTlsError(error)) {
    const hint = insecure
      ? ''
      : isPlainHttpAnswer(error)
        ? `; the registry seems to speak plain HTTP: set "insecure: true" for ${host} (registry or tag) to allow it`
        : `; add the registry's CA with "ca:" (or --ca-file), or set "insecure: true" for ${host} to skip verification`;
    return new RegistryError('TLSError', `TLS connection to ${host} failed (${tlsReason(error, code)})${hint}`, {
      cause: error,
    });
  }
  const reasons: Record<string, string> = {
    ENOTFOUND: 'unknown host',
    EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by the server',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response',
    UND_ERR_BODY_TIMEOUT: 'timed out reading the response body',
    UND_ERR_SOCKET: 'connection closed unexpectedly',
  };
  const through = proxy ? ` through proxy ${proxy}` : '';
  const reason = reasons[code] ?? proxyRefusal(error) ?? code;
  return new RegistryError('Unreachable', `cannot reach registry ${host}${through}: ${reason}`, { cause: error });
}

/** undici's words when a proxy answers CONNECT with something else than 200. */
function proxyRefusal(error: unknown): string | undefined {
  const status = /Proxy response \((\d+)\)/.exec(String((error as Error)?.message ?? ''))?.[1];
  return status ? `the proxy refused the connection (HTTP ${status})` : undefined;
}

function tlsReason(error: unknown, code: string): string {
  if (isPlainHttpAnswer(error)) return 'the server did not answer with TLS';
  const known: Record<string, string> = {
    DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
    SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by an unknown authority',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by an unknown authority',
    CERT_HAS_EXPIRED: 'certificate has expired',
    ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is not valid for this host name',
  };
  return known[code] ?? code;
}
