import { decodeBase64 } from './base64.js';
import { DocumentProblem } from './errors.js';
import type { Credential } from './types.js';

/** One `auths` entry as docker, podman and Kubernetes write it. */
interface AuthEntryFields {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

const CREDENTIAL_FIELDS = ['auth', 'username', 'password', 'identitytoken', 'registrytoken'] as const;

/**
 * The credential an entry holds, or undefined for an entry without one (docker writes `{}` for registries whose
 * credentials live in a credential store). Throws a message naming the field that is wrong, never its value.
 */
export function credentialOfEntry(entry: unknown, where: string): Credential | undefined {
  const fields = entryFields(entry, where);
  if (fields.registrytoken) return { kind: 'registryToken', token: fields.registrytoken };
  const basic = fields.auth ? decodeAuthField(fields.auth, where) : undefined;
  const username = basic?.username ?? fields.username;
  if (fields.identitytoken) {
    const credential: Credential = { kind: 'identityToken', token: fields.identitytoken };
    if (username && username !== '<token>') credential.username = username;
    return credential;
  }
  if (basic) return { kind: 'basic', ...basic };
  if (fields.username && fields.password !== undefined) {
    return { kind: 'basic', username: fields.username, password: fields.password };
  }
  return undefined;
}

function entryFields(entry: unknown, where: string): AuthEntryFields {
  if (!isPlainObject(entry)) throw new DocumentProblem(`${where} must be an object`);
  const fields: AuthEntryFields = {};
  for (const name of CREDENTIAL_FIELDS) {
    const value = entry[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new DocumentProblem(`${where}.${name} must be a string`);
    fields[name] = value;
  }
  return fields;
}

function decodeAuthField(auth: string, where: string): { username: string; password: string } {
  const decoded = decodeBase64(auth);
  const colon = decoded?.indexOf(':') ?? -1;
  if (decoded === undefined || colon <= 0) {
    throw new DocumentProblem(`${where}.auth must be the base64 encoding of "username:password"`);
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
