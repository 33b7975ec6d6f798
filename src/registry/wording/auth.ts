import { RegistryError } from '../../core/errors.js';
import type { FoundCredential } from '../../credentials/types.js';
import type { RegistryText } from '../http/registry-text.js';
import type { RetryPolicy } from '../http/retry.js';
import type { HttpResponse } from '../http/transport.js';
import { rateLimitedError } from './answers.js';

/* What a registry's authentication challenges and its token server answered, worded. */

export function unsupportedChallenge(registry: string): RegistryError {
  return new RegistryError(
    'Unauthorized',
    `registry ${registry} asks for an authentication scheme this client does not support`,
  );
}
export function ambiguousChallenge(registry: string, param: string, text: RegistryText): RegistryError {
  return new RegistryError(
    'Unauthorized',
    `registry ${registry} sent an authentication challenge that gives ${text.quote(param, 40)} more than once; refused`,
  );
}
export function unsendableRegistryToken(registry: string, source: string): RegistryError {
  return new RegistryError(
    'Unauthorized',
    `the registry token for ${registry} from ${source} cannot be sent: it holds characters an HTTP header cannot carry`,
  );
}
export function crossOriginChallenge(path: string, target: URL, registry: string, text: RegistryText): RegistryError {
  return new RegistryError(
    'Unauthorized',
    `${text.show(path)}: the registry redirected to ${text.show(target.host)}, which asks for authentication; credentials for ${registry} are never sent to another host`,
    { status: 401 },
  );
}
/** `token server ORIGIN/PATH of registry REGISTRY`: where a token request went, for messages. */
export function tokenServerName(realm: URL, registry: string, text: RegistryText): string {
  return `token server ${text.show(`${realm.origin}${realm.pathname}`)} of registry ${registry}`;
}
/** The error for a token server's answer other than a success, or undefined for a success. */
export function tokenAnswerError(
  res: HttpResponse,
  server: string,
  found: FoundCredential | undefined,
  policy: RetryPolicy,
): RegistryError | undefined {
  const status = res.status;
  if (status === 401 || status === 403) {
    const who = found ? `the credentials from ${found.source}` : 'anonymous access';
    return new RegistryError(status === 401 ? 'Unauthorized' : 'Forbidden', `${server} refused ${who}`, { status });
  }
  if (status === 429) return rateLimitedError(server, res, policy);
  if (status >= 300) return new RegistryError('InternalError', `${server} answered HTTP ${status}`, { status });
  return undefined;
}
/** A token answer that is not what the token spec says: `flaw` says how (`answered without a token`). */
export function badTokenAnswer(server: string, flaw: string): RegistryError {
  return new RegistryError('InternalError', `${server} ${flaw}`);
}
export function invalidRealm(registry: string, realm: string | undefined, text: RegistryText): RegistryError {
  return new RegistryError(
    'InternalError',
    `registry ${registry} sent a Bearer challenge with an invalid realm ${text.quote(realm ?? '')}`,
  );
}
export function plainHttpRealm(registry: string, realm: URL, text: RegistryText): RegistryError {
  return new RegistryError(
    'Unauthorized',
    `registry ${registry} is reached over https but names a token server over plain http (realm ${text.show(`${realm.origin}${realm.pathname}`)}): refused, no credentials were sent; the registry must give an https realm, or set "insecure: true" for ${registry} to allow it`,
  );
}
