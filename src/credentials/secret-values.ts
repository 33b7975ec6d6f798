import type { Credential } from './types.js';

/**
 * The values of a credential that must never be shown: its password or tokens, and for a username and password
 * the `username:password` pair Basic authentication encodes. The username alone is not secret.
 */
export function secretValues(credential: Credential): string[] {
  switch (credential.kind) {
    case 'basic':
      return [credential.password, `${credential.username}:${credential.password}`];
    case 'identityToken':
    case 'registryToken':
      return [credential.token];
  }
}
