/**
 * What the Kubernetes API server accepts in `metadata.labels` and `metadata.annotations` (apimachinery's
 * ValidateLabels and ValidateAnnotations): each function says why a key or value would be refused, or nothing.
 * Lengths are counted in bytes, as Go counts them; a key or value with other than ASCII letters, digits and
 * `-_./` is refused whatever its length.
 */

/** Total bytes of the keys and values of one object's annotations. */
export const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;
const NAME_MAX = 63;
const PREFIX_MAX = 253;
const LABEL_VALUE_MAX = 63;

const NAME_CHARACTERS = /^[-A-Za-z0-9_.]*$/;
const ALPHANUMERIC = /[A-Za-z0-9]/;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
/** What Go's strings.ToLower turns into an ASCII letter: A-Z, the dotted capital I and the Kelvin sign. */
const GO_LOWERED_TO_ASCII = /[A-Z\u0130\u212a]/g;

const NAME_RULE = "letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

/** Why Kubernetes refuses `key` as a label key; undefined when it accepts it. */
export function labelKeyProblem(key: string): string | undefined {
  return qualifiedNameProblem(key, 'lowercase ');
}

/** Why Kubernetes refuses `key` as an annotation key (a label key, but any case); undefined when it accepts it. */
export function annotationKeyProblem(key: string): string | undefined {
  return qualifiedNameProblem(goLowerCase(key), '');
}

/** Why Kubernetes refuses `value` as a label value; undefined when it accepts it (the empty value too). */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (byteLength(value) <= LABEL_VALUE_MAX && isName(value)) return undefined;
  return `it must be empty or at most ${LABEL_VALUE_MAX} ${NAME_RULE}`;
}

/** Why Kubernetes refuses annotations this large; undefined when they fit. */
export function annotationsSizeProblem(annotations: Record<string, string>): string | undefined {
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) size += byteLength(key) + byteLength(value);
  if (size <= ANNOTATIONS_SIZE_LIMIT) return undefined;
  return `their keys and values add up to ${size} bytes, more than the ${ANNOTATIONS_SIZE_LIMIT} (256 KiB) Kubernetes allows`;
}

/** One thing the API server would refuse in an object's labels or annotations. */
export interface MetadataProblem {
  field: 'labels' | 'annotations';
  /** The label or annotation it is about; none for the annotations' total size. */
  key?: string;
  /** Whether the key or the value is at fault (the total size counts as the keys'). */
  part: 'key' | 'value';
  /** What is wrong: `not a label key Kubernetes accepts: …`. */
  problem: string;
}

/** What the API server would refuse in `labels` and `annotations`, label by label, then annotation by annotation. */
export function metadataProblems(
  labels: Record<string, string>,
  annotations: Record<string, string>,
): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem)
      problems.push({
        field: 'labels',
        key,
        part: 'key',
        problem: `not a label key Kubernetes accepts: ${keyProblem}`,
      });
    const valueProblem = labelValueProblem(value);
    if (valueProblem)
      problems.push({
        field: 'labels',
        key,
        part: 'value',
        problem: `not a label value Kubernetes accepts: ${valueProblem}`,
      });
  }
  const keys = Object.keys(annotations);
  for (const key of keys) {
    const problem = annotationKeyProblem(key);
    if (problem)
      problems.push({
        field: 'annotations',
        key,
        part: 'key',
        problem: `not an annotation key Kubernetes accepts: ${problem}`,
      });
  }
  const sizeProblem = keys.length > 0 && annotationsSizeProblem(annotations);
  if (sizeProblem)
    problems.push({ field: 'annotations', part: 'key', problem: `too large for Kubernetes: ${sizeProblem}` });
  return problems;
}

/** A key is a name of at most 63 characters, optionally after a DNS subdomain prefix and '/' (`example.com/name`). */
function qualifiedNameProblem(key: string, prefixCase: string): string | undefined {
  const slash = key.indexOf('/');
  if (slash !== key.lastIndexOf('/')) return "it holds more than one '/'";
  const problems: string[] = [];
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (prefix === '') problems.push("the prefix before '/' is empty");
    else if (byteLength(prefix) > PREFIX_MAX) problems.push(`the prefix is longer than ${PREFIX_MAX} characters`);
    else if (!isDnsSubdomain(prefix)) {
      problems.push(
        `the prefix is not a DNS subdomain (${prefixCase}letters, digits, '-' and '.', each part starting and ending with a letter or digit)`,
      );
    }
  }
  const name = key.slice(slash + 1);
  if (name === '') problems.push('the name is empty');
  else if (!isName(name)) problems.push(`the name is not ${NAME_RULE}`);
  else if (name.length > NAME_MAX) problems.push(`the name is longer than ${NAME_MAX} characters`);
  return problems.length > 0 ? problems.join(', and ') : undefined;
}

function isName(text: string): boolean {
  return NAME_CHARACTERS.test(text) && ALPHANUMERIC.test(text[0]!) && ALPHANUMERIC.test(text.at(-1)!);
}

function isDnsSubdomain(text: string): boolean {
  return text.split('.').every((label) => DNS_LABEL.test(label));
}

function goLowerCase(text: string): string {
  return text.replace(GO_LOWERED_TO_ASCII, (c) => (c === '\u0130' ? 'i' : c === '\u212a' ? 'k' : c.toLowerCase()));
}

/** UTF-8 bytes, as Go's len counts them. */
function byteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) bytes += code >= 0x800 && (code < 0xd800 || code > 0xdfff) ? 2 : 1;
  }
  return bytes;
}
