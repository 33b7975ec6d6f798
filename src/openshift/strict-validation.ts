import { validateImageStream } from '../generated/openshift-validators.js';

interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * The ways `object` breaks OpenShift's ImageStream definition, strictly (unknown fields refused, as the API server's
 * strict field validation does): one line each, naming the field. Empty when it is valid.
 */
export function imageStreamViolations(object: unknown): string[] {
  if (validateImageStream(object)) return [];
  const errors = (validateImageStream as unknown as { errors: SchemaError[] }).errors;
  return errors.map(violation);
}

function violation(error: SchemaError): string {
  const at = fieldPath(error.instancePath);
  if (error.keyword === 'additionalProperties') {
    const field = String(error.params.additionalProperty);
    return `${at ? `${at}.` : ''}${field}: unknown field`;
  }
  if (error.keyword === 'required') return `${at ? `${at}.` : ''}${String(error.params.missingProperty)}: required`;
  return `${at || '(object)'}: ${error.message ?? 'invalid'}`;
}

/** `/spec/tags/0/from` → `spec.tags[0].from`. */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}
