import { RegistryError } from '../../core/errors.js';
import type { RegistryText } from '../http/registry-text.js';

/* Requests and redirects the client refuses to send or follow, worded. */

export function plainHttpRequest(path: string, text: RegistryText): RegistryError {
  return new RegistryError('InternalError', `refusing to send a request for ${text.show(path)} over plain http`);
}
export function tooManyRedirects(path: string, text: RegistryText): RegistryError {
  return new RegistryError('InternalError', `too many redirects fetching ${text.show(path)}`);
}
export function invalidRedirect(location: string, text: RegistryText): RegistryError {
  return new RegistryError('InternalError', `the registry redirected to an invalid address ${text.quote(location)}`);
}
export function downgradingRedirect(next: URL, text: RegistryText): RegistryError {
  return new RegistryError(
    'InternalError',
    `refusing a redirect from https to ${text.show(`${next.protocol}//${next.host}`)}`,
  );
}
