export { CredentialsError } from './errors.js';
export type { FollowedCredentialFiles } from './followed-files.js';
export { secretValues } from './secret-values.js';
export {
  type CatalogSecret,
  type CredentialStoreOptions,
  createCredentialStore,
  type FileCredentialStore,
} from './store.js';
export type { Credential, CredentialLookup, CredentialStore, FoundCredential } from './types.js';
