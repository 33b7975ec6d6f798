import type { ErrorObject } from 'ajv/dist/2020.js';
import { IMPORT_MODE_MESSAGE } from '../core/catalog.js';
import { escaped } from '../core/echoed-text.js';
import { closestWord } from './closest-word.js';
import { childPointer, pointerSegments, subjectOf, where } from './json-pointer.js';
import type { ProblemList } from './problems.js';

interface Described {
  pointer: string;
  at: 'key' | 'value';
  message: string;
}

interface SchemaNode {
  properties?: Record<string, unknown>;
  patternErrorMessage?: string;
}

/** Reports ajv's errors as human messages located at the offending key or value. */
export function reportSchemaErrors(errors: readonly ErrorObject[], problems: ProblemList): void {
  const reported = new Set<string>();
  for (const error of errors) {
    // Each failing property name also fails `propertyNames` as a whole: the first error says it all.
    // A value that breaks the branch an `if` chose has that branch's own errors too.
    if (error.keyword === 'propertyNames' || error.keyword === 'if') continue;
    const { pointer, at, message } = describe(error);
    // One problem per value is enough (ajv checks the type first), including one found while reading the YAML.
    if (at === 'value' && problems.has(pointer)) continue;
    const id = `${at}\0${pointer}\0${message}`;
    if (reported.has(id)) continue;
    reported.add(id);
    problems.add(pointer, message, at);
  }
}

function describe(error: ErrorObject): Described {
  const path = error.instancePath;
  if (error.propertyName !== undefined) {
    const pointer = childPointer(path, error.propertyName);
    return { pointer, at: 'key', message: `${keyNoun(path)} ${quote(error.propertyName)} ${rule(error, false)}` };
  }
  if (isImportMode(path)) {
    return { pointer: path, at: 'value', message: IMPORT_MODE_MESSAGE };
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const message = unknownKey(key, path, Object.keys((error.parentSchema as SchemaNode).properties ?? {}));
      return { pointer: childPointer(path, key), at: 'key', message };
    }
    case 'required':
      return {
        pointer: path,
        at: 'key',
        message: `missing required key "${error.params.missingProperty}" ${where(path)}`,
      };
    case 'dependentRequired': {
      const { property, missingProperty } = error.params as { property: string; missingProperty: string };
      const message = `"${property}" ${where(path)} needs "${missingProperty}" as well`;
      return { pointer: childPointer(path, property), at: 'key', message };
    }
    case 'minProperties':
    case 'maxProperties':
      if (path === '/local') {
        return { pointer: path, at: 'key', message: 'local must set exactly one of "registry" or "layout"' };
      }
      if (isDiscoverPolicy(path)) {
        const message = `policy ${where(path.slice(0, path.lastIndexOf('/')))} must set exactly one of "semver", "alphabetical" or "numerical"`;
        return { pointer: path, at: 'key', message };
      }
      break;
    case 'type':
      if (path === '' && error.data === null) {
        return { pointer: path, at: 'value', message: 'the catalog is empty: it needs apiVersion, kind and streams' };
      }
  }
  return { pointer: path, at: 'value', message: `${subjectOf(path)} ${rule(error)}` };
}

/** `defaults.importMode`, a tag's or a `discover` block's `importMode`: where oc's exact message is expected. */
function isImportMode(pointer: string): boolean {
  const segments = pointerSegments(pointer);
  if (segments.length === 2) return segments[0] === 'defaults' && segments[1] === 'importMode';
  if (segments.length === 4)
    return segments[0] === 'streams' && segments[2] === 'discover' && segments[3] === 'importMode';
  return segments.length === 5 && segments[0] === 'streams' && segments[2] === 'tags' && segments[4] === 'importMode';
}

/** `streams.<name>.discover.policy`. */
function isDiscoverPolicy(pointer: string): boolean {
  const segments = pointerSegments(pointer);
  return segments.length === 4 && segments[0] === 'streams' && segments[2] === 'discover' && segments[3] === 'policy';
}

/** What the value must be, and what it is. */
function rule(error: ErrorObject, showValue = true): string {
  const params = error.params as Record<string, unknown>;
  const got = showValue ? `, not ${describeValue(error.data)}` : '';
  switch (error.keyword) {
    case 'type':
      return `must be ${expectedType(error)}${got}`;
    case 'enum':
      return `must be ${oneOf(params.allowedValues as unknown[])}${got}`;
    case 'const':
      return `must be ${String(params.allowedValue)}${got}`;
    case 'pattern':
      return `${(error.parentSchema as SchemaNode).patternErrorMessage ?? 'has an invalid format'}${got}`;
    case 'minLength':
      return 'must not be empty';
    case 'maxLength':
      return `must be at most ${params.limit} characters long`;
    case 'minimum':
      return `must be at least ${params.limit}${got}`;
    case 'maximum':
      return `must be at most ${params.limit}${got}`;
    case 'exclusiveMinimum':
      return `must be greater than ${params.limit}${got}`;
    default:
      return error.message ?? `breaks the schema rule "${error.keyword}"`;
  }
}

/** A value of a formatted kind (a platform, a duration) is described by its format rather than by its type. */
function expectedType(error: ErrorObject): string {
  const hint = (error.parentSchema as SchemaNode).patternErrorMessage;
  if (hint) return hint.replace(/^must be /, '');
  const type = String(error.params.type);
  return TYPE_NAMES[type] ?? type;
}

const TYPE_NAMES: Record<string, string> = {
  boolean: 'a boolean (true or false)',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  object: 'a mapping',
  array: 'a list',
};

function unknownKey(key: string, path: string, allowed: string[]): string {
  const suggestion = closestWord(key, allowed);
  const hint = suggestion ? `did you mean "${suggestion}"? ` : '';
  return `unknown key ${quote(key)} ${where(path)} (${hint}allowed: ${allowed.join(', ')})`;
}

/** The name of a mapping's keys, for errors about a key itself. */
function keyNoun(path: string): string {
  const segments = pointerSegments(path);
  if (path === '/registries') return 'registry key';
  if (path === '/streams') return 'stream name';
  if (segments.length === 3 && segments[0] === 'streams' && segments[2] === 'tags') return 'tag name';
  return 'key';
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${quote(value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

function oneOf(values: unknown[]): string {
  const words = values.map(String);
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function quote(text: string): string {
  return escaped(JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text));
}
