import { parseRegistryKey, type RegistryKey } from '../core/registry-key.js';
import { credentialOfEntry, isPlainObject } from './auth-entry.js';
import { DocumentProblem } from './errors.js';
import type { Credential } from './types.js';

export interface AuthEntry {
  key: RegistryKey;
  credential: Credential;
}

export interface HelperEntry {
  key: RegistryKey;
  helper: string;
}

/** The credentials of one file: docker `config.json`, containers `auth.json`, `.dockerconfigjson` or a pull secret. */
export interface AuthConfig {
  /** Entries that hold a credential, in written order. */
  entries: AuthEntry[];
  credHelpers: HelperEntry[];
  credsStore?: string;
}

const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Reads `auths`, `credHelpers` and `credsStore` of a docker config, ignoring docker's other settings. */
export function authConfigOfDocument(doc: Record<string, unknown>, where = ''): AuthConfig {
  const config: AuthConfig = {
    entries: doc.auths === undefined ? [] : entriesOfAuths(doc.auths, `${where}auths`),
    credHelpers: doc.credHelpers === undefined ? [] : helpersOf(doc.credHelpers, `${where}credHelpers`),
  };
  if (doc.credsStore !== undefined && doc.credsStore !== '') {
    config.credsStore = helperName(doc.credsStore, `${where}credsStore`);
  }
  return config;
}

/** The entries of an `auths` map (also the whole of a legacy `.dockercfg`); entries without a credential are left out. */
export function entriesOfAuths(auths: unknown, where: string): AuthEntry[] {
  if (!isPlainObject(auths)) throw new DocumentProblem(`${where} must be an object`);
  const entries: AuthEntry[] = [];
  for (const [text, value] of Object.entries(auths)) {
    const credential = credentialOfEntry(value, `${where}[${JSON.stringify(text)}]`);
    const key = parseRegistryKey(text);
    if (credential && key) entries.push({ key, credential });
  }
  return entries;
}

function helpersOf(credHelpers: unknown, where: string): HelperEntry[] {
  if (!isPlainObject(credHelpers)) throw new DocumentProblem(`${where} must be an object`);
  const helpers: HelperEntry[] = [];
  for (const [text, value] of Object.entries(credHelpers)) {
    if (value === '') continue;
    const helper = helperName(value, `${where}[${JSON.stringify(text)}]`);
    const key = parseRegistryKey(text);
    if (key) helpers.push({ key, helper });
  }
  return helpers;
}

function helperName(value: unknown, where: string): string {
  if (typeof value !== 'string' || !HELPER_NAME.test(value)) {
    throw new DocumentProblem(
      `${where} must name a credential helper (docker-credential-NAME): letters, digits, ".", "_", "-"`,
    );
  }
  return value;
}
