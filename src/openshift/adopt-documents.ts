import type { Document } from 'yaml';
import { parseYamlDocuments } from '../config/yaml-parse.js';
import { clipped, quoted } from '../core/echoed-text.js';
import { UsageError } from '../core/errors.js';

/** Largest input adopt reads: above what `oc get is -A -o yaml` gives for a thousand streams with their history. */
export const MAX_ADOPT_BYTES = 8 * 1024 * 1024;
/** Most documents one input may hold. */
const MAX_DOCUMENTS = 10_000;
/** YAML aliases one input may use: enough for hand-written anchors, not for an expansion bomb. */
const MAX_ALIASES = 100;

/** An ImageStream found in the input, and where: `FILE: document N, items[M]`. */
export interface FoundImageStream {
  object: Record<string, unknown>;
  where: string;
}

const IMAGE_STREAM_VERSIONS = ['image.openshift.io/v1', 'v1'];
const LIST_KINDS = ['ImageStreamList', 'List'];

/**
 * The ImageStreams of `oc get is -o yaml|json` output: one ImageStream, an ImageStreamList or a List, YAML or JSON,
 * several documents allowed. Anything else in it is an error naming the document and the field.
 */
export function imageStreamsOf(text: string, name: string): FoundImageStream[] {
  if (Buffer.byteLength(text) > MAX_ADOPT_BYTES) {
    throw new UsageError(`${name} is larger than ${MAX_ADOPT_BYTES / 1024 / 1024} MiB; refused`);
  }
  const parsed = parseYamlDocuments(text, name, MAX_DOCUMENTS + 1);
  const [problem] = parsed.problems;
  if (problem) {
    const at = parsed.lines.linePos(problem.offset);
    throw new UsageError(
      `${name}:${at.line}:${at.col}: not valid YAML or JSON: ${clipped(problem.message.replace(/^invalid YAML: /, '').split('\n')[0] ?? '', 160)}`,
    );
  }
  if (parsed.docs.length > MAX_DOCUMENTS)
    throw new UsageError(`${name} holds more than ${MAX_DOCUMENTS} documents; refused`);
  const found = parsed.docs.flatMap((document, index) => {
    const where = `${name}: document ${index + 1}`;
    const value = toValue(document, where);
    return value === null || value === undefined ? [] : streamsIn(value, where);
  });
  if (found.length === 0) throw new UsageError(`${name} holds no ImageStream`);
  return found;
}

function toValue(document: Document.Parsed, where: string): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new UsageError(`${where}: ${clipped((error as Error).message, 160)}; refused`);
  }
}

function streamsIn(value: unknown, where: string): FoundImageStream[] {
  if (!isObject(value)) throw new UsageError(`${where}: expected an object with "kind", found ${typeName(value)}`);
  const { kind, apiVersion } = value;
  if (kind === 'ImageStream') {
    if (!IMAGE_STREAM_VERSIONS.includes(String(apiVersion))) {
      throw new UsageError(
        `${where}: apiVersion ${quoted(String(apiVersion ?? ''))} of an ImageStream: expected image.openshift.io/v1`,
      );
    }
    return [{ object: value, where }];
  }
  if (typeof kind === 'string' && LIST_KINDS.includes(kind)) {
    if (!Array.isArray(value.items)) throw new UsageError(`${where}: a ${kind} without "items"`);
    return value.items.flatMap((item, index) => streamsIn(item, `${where}, items[${index}]`));
  }
  const named = typeof kind === 'string' ? `kind ${quoted(kind)}` : 'no "kind"';
  throw new UsageError(`${where}: ${named}: expected an ImageStream, an ImageStreamList or a List`);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : `a ${typeof value}`;
}
