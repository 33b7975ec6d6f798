import { createHash } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { RegistryError } from '../../core/errors.js';

/** The PEM texts a TLS connection to one registry is set up with. */
export interface TlsMaterial {
  /** Extra CAs, trusted besides the system's. */
  caPems: string[];
  cert?: string;
  key?: string;
}

const contexts = new Map<string, SecureContext>();

/**
 * One secure context per set of CAs and client certificate, shared by every connection that uses it: building one
 * parses the ~150 system CAs again, some 30 ms of CPU, which each connection would otherwise pay.
 */
export function sharedSecureContext(material: TlsMaterial, registry: string): SecureContext {
  const key = materialKey(material);
  let context = contexts.get(key);
  if (context === undefined) {
    context = builtContext(material, registry);
    contexts.set(key, context);
  }
  return context;
}

function builtContext(material: TlsMaterial, registry: string): SecureContext {
  try {
    // Without extra CAs Node's default store stays in use, NODE_EXTRA_CA_CERTS included.
    return createSecureContext({
      ...(material.caPems.length > 0 && { ca: [...rootCertificates, ...material.caPems] }),
      ...(material.cert !== undefined && { cert: material.cert }),
      ...(material.key !== undefined && { key: material.key }),
    });
  } catch (error) {
    const what = material.cert === undefined ? 'the CA bundle' : 'the CA bundle or the client certificate and key';
    throw new RegistryError('TLSError', `cannot use ${what} of ${registry}: ${(error as Error).message}`);
  }
}

function materialKey(material: TlsMaterial): string {
  const hash = createHash('sha256');
  for (const part of [...material.caPems, '\0cert', material.cert ?? '', '\0key', material.key ?? '']) {
    hash.update(part).update('\0');
  }
  return hash.digest('hex');
}
