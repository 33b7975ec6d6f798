import { createHash } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { RegistryError } from '../../core/errors.js';
import { type ExtraCaCerts, nodeStoreIsBundled, readExtraCaCerts, withoutBundledCas } from './extra-ca-certs.js';

/** The PEM texts a TLS connection to one registry is set up with. */
export interface TlsMaterial {
  /** Extra CAs, trusted besides the system's. */
  caPems: string[];
  cert?: string;
  key?: string;
}

/** Told of a problem the work goes on despite, worded for the user. */
export type Warn = (message: string) => void;

/** The native half of a SecureContext: what `createSecureContext({ ca })` itself calls for each CA. */
interface NativeContext {
  addCACert?: (pem: string) => void;
}

const contexts = new Map<string, SecureContext>();

/**
 * One secure context per set of CAs and client certificate, shared by every connection that uses it, so that
 * each set is read once, not once per connection.
 */
export function sharedSecureContext(material: TlsMaterial, registry: string, warn?: Warn): SecureContext {
  const key = materialKey(material);
  let context = contexts.get(key);
  if (context === undefined) {
    context = builtContext(material, registry, warn);
    contexts.set(key, context);
  }
  return context;
}

function builtContext(material: TlsMaterial, registry: string, warn: Warn | undefined): SecureContext {
  try {
    return withExtraCas(material, warn);
  } catch (error) {
    const what = material.cert === undefined ? 'the CA bundle' : 'the CA bundle or the client certificate and key';
    throw new RegistryError('TLSError', `cannot use ${what} of ${registry}: ${(error as Error).message}`);
  }
}

/**
 * A copy of Node's CA store (its bundled CAs, or OpenSSL's with `--use-openssl-ca`) with the extra CAs added.
 * Passing `ca` instead would replace that store, so the ~150 bundled CAs would be passed and parsed again, some
 * 25 ms for every set of extra CAs. Node's copy leaves out the CAs of NODE_EXTRA_CA_CERTS, which its own store
 * holds: they are added again.
 */
function withExtraCas(material: TlsMaterial, warn: Warn | undefined): SecureContext {
  const client = {
    ...(material.cert !== undefined && { cert: material.cert }),
    ...(material.key !== undefined && { key: material.key }),
  };
  const context = createSecureContext(client);
  const native = (context as SecureContext & { context?: NativeContext }).context;
  if (material.caPems.length === 0) return context;
  const caPems = [...nodeExtraCaCerts(warn), ...material.caPems];
  if (typeof native?.addCACert !== 'function') {
    return createSecureContext({ ...client, ca: [...rootCertificates, ...caPems] });
  }
  for (const pem of caPems) native.addCACert(pem);
  return context;
}

/** The CAs of NODE_EXTRA_CA_CERTS to add, and the warning of a file that cannot be used, if the user needs one. */
interface NodeExtraCas {
  pems: string[];
  warning?: string;
}

let extraCaCerts: NodeExtraCas | undefined;
let warned = false;

/**
 * The CAs of NODE_EXTRA_CA_CERTS, read once: the process's own variable, which Node read at start-up. Like Node,
 * this goes on without a file it cannot use; `warn` is told so once, unless Node has already said it.
 */
function nodeExtraCaCerts(warn: Warn | undefined): string[] {
  extraCaCerts ??= processExtraCaCerts();
  if (extraCaCerts.warning !== undefined && warn !== undefined && !warned) {
    warned = true;
    warn(extraCaCerts.warning);
  }
  return extraCaCerts.pems;
}

function processExtraCaCerts(): NodeExtraCas {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  const read: ExtraCaCerts = file ? readExtraCaCerts(file) : { pems: [] };
  const bundled = nodeStoreIsBundled(process.execArgv, process.env.NODE_OPTIONS, builtWithOpensslStore());
  const pems = bundled ? withoutBundledCas(read.pems, rootCertificates) : read.pems;
  if (read.problem === undefined || read.toldByNode) return { pems };
  const warning = `NODE_EXTRA_CA_CERTS: ${read.problem}; going on without it for registries with a CA of their own (ca: or certs.d)`;
  return { pems, warning };
}

function materialKey(material: TlsMaterial): string {
  const hash = createHash('sha256');
  for (const part of [...material.caPems, '\0cert', material.cert ?? '', '\0key', material.key ?? '']) {
    hash.update(part).update('\0');
  }
  return hash.digest('hex');
}

function builtWithOpensslStore(): boolean {
  const variables = process.config.variables as unknown as Record<string, unknown>;
  return variables.node_use_openssl_ca === true || variables.node_use_openssl_ca === 1;
}
