import type { Document } from 'yaml';
import { type AuthConfig, authConfigOfDocument, entriesOfAuths } from './auth-config.js';
import { isPlainObject } from './auth-entry.js';
import { DocumentProblem } from './errors.js';
import { authConfigOfSecret } from './kubernetes-secret.js';
import { refuseDeepNesting } from './nesting-depth.js';
import { refuseCostlyYaml } from './yaml-cost-limits.js';
import { yamlLibrary } from './yaml-library.js';

/**
 * `pullSecret`: a catalog `auth.secret` — a Kubernetes Secret (YAML or JSON) or a raw `.dockerconfigjson`.
 * `authFile`: docker `config.json` or containers `auth.json`, which may be empty or hold no credentials at all.
 * `legacyDockercfg`: docker's old `~/.dockercfg`, the registries' entries at the top level (no `auths`).
 */
export type DocumentRole = 'pullSecret' | 'authFile' | 'legacyDockercfg';

const EMPTY: AuthConfig = { entries: [], credHelpers: [] };

/** Parses a credentials file; throws DocumentProblem (never quoting the file's content). */
export function parseCredentialsDocument(content: string, role: DocumentRole): AuthConfig {
  const text = withoutByteOrderMark(content);
  if (text.trim() === '') {
    if (role !== 'pullSecret') return EMPTY;
    throw new DocumentProblem('the file is empty');
  }
  const doc = isYamlText(text) ? parseYaml(text) : parseJson(text);
  if (!isPlainObject(doc)) throw new DocumentProblem('the file must hold an object');
  if (role === 'legacyDockercfg') return { entries: entriesOfAuths(doc, ''), credHelpers: [] };
  if (doc.kind !== undefined || doc.apiVersion !== undefined) {
    if (doc.kind !== 'Secret') throw new DocumentProblem(notASecret(doc.kind));
    return authConfigOfSecret(doc);
  }
  if (role === 'pullSecret' && doc.auths === undefined) {
    throw new DocumentProblem('the file is neither a Kubernetes Secret nor a .dockerconfigjson (no "auths" object)');
  }
  return authConfigOfDocument(doc);
}

/** A leading UTF-8 byte-order mark, as Windows editors write one, is not part of the document. */
function withoutByteOrderMark(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** True when the text is parsed as YAML: it holds something, and does not open with `{` or `[` as JSON does. */
export function isYamlText(text: string): boolean {
  return /^\s*[^\s{[]/.test(text);
}

function parseJson(text: string): unknown {
  refuseDeepNesting(text);
  try {
    return JSON.parse(text);
  } catch (error) {
    // JSON.parse messages quote the input, so only the position is kept.
    const offset = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw new DocumentProblem('invalid JSON', offset === undefined ? undefined : positionAt(text, Number(offset)));
  }
}

function parseYaml(text: string): unknown {
  refuseCostlyYaml(text);
  // The library's own check of duplicate keys compares every pair: minutes for a few MiB of keys. Its warnings
  // (a key that is a collection, turned into text) quote the file on stderr: they are not shown. Its "pretty" errors
  // copy the whole line of each error and warning: minutes for 100,000 unknown tags on one line.
  const documents = yamlLibrary().parseAllDocuments(text, {
    uniqueKeys: false,
    logLevel: 'error',
    prettyErrors: false,
  });
  if (!Array.isArray(documents) || documents.length === 0) throw new DocumentProblem('the file holds no YAML document');
  const [first] = documents;
  for (const document of documents) {
    throwFirstError(document, text);
    refuseDuplicateKeys(document, text);
  }
  if (documents.length > 1 || !first)
    throw new DocumentProblem(`the file holds ${documents.length} YAML documents; expected one`);
  try {
    return first.toJS({ maxAliasCount: 100 });
  } catch {
    throw new DocumentProblem('invalid YAML (unresolved alias or alias expansion too large)');
  }
}

/** The yaml package's messages may quote the file, so errors are described by their code alone. */
const YAML_PROBLEMS: Record<string, string> = {
  BAD_DQ_ESCAPE: 'invalid escape sequence in a double-quoted string',
  BAD_INDENT: 'bad indentation',
  BAD_SCALAR_START: 'a plain value cannot start with this character',
  BLOCK_AS_IMPLICIT_KEY: 'a nested mapping is not allowed here',
  DUPLICATE_KEY: 'duplicate key',
  MISSING_CHAR: 'a quote, bracket, comma or colon is missing',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line',
  TAB_AS_INDENT: 'tabs are not allowed as indentation',
  TAG_RESOLVE_FAILED: 'unknown tag',
  UNEXPECTED_TOKEN: 'unexpected token',
};

function throwFirstError(document: Document.Parsed, text: string): void {
  const error = document.errors[0];
  if (!error) return;
  const problem = YAML_PROBLEMS[error.code] ?? error.code.toLowerCase().replaceAll('_', ' ');
  throw new DocumentProblem(`invalid YAML: ${problem}`, positionAt(text, error.pos[0]));
}

/** A key written twice in one mapping is an error, as the library's `uniqueKeys` makes it; found in one pass. */
function refuseDuplicateKeys(document: Document.Parsed, text: string): void {
  const { visit, isScalar } = yamlLibrary();
  visit(document, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) {
          const at = key.range ? positionAt(text, key.range[0]) : undefined;
          throw new DocumentProblem('invalid YAML: duplicate key', at);
        }
        seen.add(key.value);
      }
    },
  });
}

function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

function notASecret(kind: unknown): string {
  if (typeof kind === 'string' && /^[A-Za-z]{1,63}$/.test(kind)) return `the file holds a ${kind}, not a Secret`;
  return 'the file is a Kubernetes object without "kind: Secret"';
}
