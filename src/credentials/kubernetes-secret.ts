import { type AuthConfig, entriesOfAuths } from './auth-config.js';
import { isPlainObject } from './auth-entry.js';
import { decodeBase64 } from './base64.js';
import { DocumentProblem } from './errors.js';
import { refuseDeepNesting } from './nesting-depth.js';

const DOCKER_CONFIG_JSON_TYPE = 'kubernetes.io/dockerconfigjson';
const DOCKERCFG_TYPE = 'kubernetes.io/dockercfg';

/**
 * The credentials of a pull secret: `kubernetes.io/dockerconfigjson` holds `{"auths": {…}}` under `.dockerconfigjson`,
 * the older `kubernetes.io/dockercfg` the bare auths map under `.dockercfg`; either in `data` (base64) or `stringData`.
 */
export function authConfigOfSecret(secret: Record<string, unknown>): AuthConfig {
  if (secret.type === DOCKER_CONFIG_JSON_TYPE) {
    const { where, doc } = secretJson(secret, '.dockerconfigjson');
    if (!isPlainObject(doc) || doc.auths === undefined) throw new DocumentProblem(`${where} has no "auths" object`);
    return { entries: entriesOfAuths(doc.auths, `${where}.auths`), credHelpers: [] };
  }
  if (secret.type === DOCKERCFG_TYPE) {
    const { where, doc } = secretJson(secret, '.dockercfg');
    return { entries: entriesOfAuths(doc, where), credHelpers: [] };
  }
  const found = typeof secret.type === 'string' ? `type ${JSON.stringify(secret.type.slice(0, 80))}` : 'no type';
  throw new DocumentProblem(
    `the Secret has ${found}; a pull secret has type ${DOCKER_CONFIG_JSON_TYPE} or ${DOCKERCFG_TYPE}`,
  );
}

/** The JSON held under `field`: `stringData` wins over `data`, as the Kubernetes API merges them. */
function secretJson(secret: Record<string, unknown>, field: string): { where: string; doc: unknown } {
  const fromStringData = secretField(secret, 'stringData', field);
  const fromData = fromStringData === undefined ? secretField(secret, 'data', field) : undefined;
  const where =
    fromStringData === undefined ? `data[${JSON.stringify(field)}]` : `stringData[${JSON.stringify(field)}]`;
  let text = fromStringData;
  if (fromData !== undefined) {
    text = decodeBase64(fromData);
    if (text === undefined) throw new DocumentProblem(`${where} is not valid base64`);
  }
  if (text === undefined) {
    throw new DocumentProblem(
      `a ${secret.type} Secret needs data[${JSON.stringify(field)}] or stringData[${JSON.stringify(field)}]`,
    );
  }
  refuseDeepNesting(text, where);
  try {
    return { where, doc: JSON.parse(text) };
  } catch {
    throw new DocumentProblem(`${where} is not valid JSON`);
  }
}

function secretField(
  secret: Record<string, unknown>,
  section: 'data' | 'stringData',
  field: string,
): string | undefined {
  const values = secret[section];
  if (values === undefined || values === null) return undefined;
  if (!isPlainObject(values)) throw new DocumentProblem(`${section} must be a map of strings`);
  const value = values[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new DocumentProblem(`${section}[${JSON.stringify(field)}] must be a string`);
  return value;
}
