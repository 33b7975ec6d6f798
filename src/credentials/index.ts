export { CredentialsError } from './errors.js';
export { secretValues } from './secret-values.js';
export { type CatalogSecret, type CredentialStoreOptions, createCredentialStore } from './store.js';
export type { Credential, CredentialLookup, CredentialStore, FoundCredential } from './types.js';
