/** A registry credential, as found in an auth file, a pull secret or a credential helper. */
export type Credential =
  | { kind: 'basic'; username: string; password: string }
  /** An OAuth2 refresh token (docker's `identitytoken`), exchanged at the token realm. */
  | { kind: 'identityToken'; username?: string; token: string }
  /** A bearer token sent to the registry as is (docker's `registrytoken`). */
  | { kind: 'registryToken'; token: string };

export interface FoundCredential {
  credential: Credential;
  /** Where the credential came from, for messages; never holds the secret. */
  source: string;
}

export interface CredentialLookup {
  /** Registry host[:port] as in the image reference (`docker.io` for Docker Hub). */
  host: string;
  /** How the registry is reached; decides which port a key without one stands for. */
  scheme: 'https' | 'http';
  /** Repository path, e.g. `library/alpine`. */
  repository: string;
}

export interface CredentialStore {
  /** The first credential that matches, in source order; undefined when no source has one. */
  find(lookup: CredentialLookup): Promise<FoundCredential | undefined>;
  /**
   * The sources `find` consults, in order, for messages such as "no credentials found for HOST in: …".
   * With a lookup, catalog secrets for other registries are left out.
   */
  describeSources(lookup?: CredentialLookup): string[];
}
