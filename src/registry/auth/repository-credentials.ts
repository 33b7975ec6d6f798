import type { CredentialStore, FoundCredential } from '../../credentials/types.js';
import type { RegistryText } from '../http/registry-text.js';

/** What the client needs of a credential store. */
export type CredentialProvider = Pick<CredentialStore, 'find'> & Partial<Pick<CredentialStore, 'describeSources'>>;

/**
 * The credential of each repository of one registry, looked up once; every credential found is taught to the
 * scrubber before anything the registry says is shown.
 */
export class RepositoryCredentials {
  private readonly byRepository = new Map<string, Promise<FoundCredential | undefined>>();

  constructor(
    private readonly registry: string,
    private readonly provider: CredentialProvider | undefined,
    /** The scheme the registry is reached with (credentials may be kept per scheme). */
    private readonly scheme: () => Promise<'http' | 'https'>,
    private readonly text: RegistryText,
  ) {}

  find(repository: string): Promise<FoundCredential | undefined> {
    let found = this.byRepository.get(repository);
    if (!found) {
      found = this.scheme()
        .then((scheme) => this.provider?.find({ host: this.registry, scheme, repository }))
        .then((credential) => {
          if (credential) this.text.remember(credential.credential);
          return credential;
        });
      this.byRepository.set(repository, found);
    }
    return found;
  }

  /** The sources consulted for `repository`, for a message that says none had a credential. */
  async sources(repository: string): Promise<string[]> {
    const scheme = await this.scheme();
    return this.provider?.describeSources?.({ host: this.registry, scheme, repository }) ?? [];
  }
}
