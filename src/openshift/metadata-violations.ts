import { quoted } from '../core/echoed-text.js';
import {
  annotationKeyProblem,
  annotationsSizeProblem,
  labelKeyProblem,
  labelValueProblem,
} from '../core/kubernetes-metadata.js';

interface Metadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * The labels and annotations of a strictly valid ImageStream that the API server would refuse, one line each,
 * naming the field; keys are shown escaped. Empty when there are none.
 */
export function metadataViolations(metadata: Metadata): string[] {
  const violations: string[] = [];
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    const field = `metadata.labels[${quoted(key, 80)}]`;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) violations.push(`${field}: not a label key Kubernetes accepts: ${keyProblem}`);
    const valueProblem = labelValueProblem(value);
    if (valueProblem) violations.push(`${field}: not a label value Kubernetes accepts: ${valueProblem}`);
  }
  const annotations = metadata.annotations ?? {};
  for (const key of Object.keys(annotations)) {
    const problem = annotationKeyProblem(key);
    if (problem)
      violations.push(`metadata.annotations[${quoted(key, 80)}]: not an annotation key Kubernetes accepts: ${problem}`);
  }
  const sizeProblem = annotationsSizeProblem(annotations);
  if (sizeProblem) violations.push(`metadata.annotations: too large for Kubernetes: ${sizeProblem}`);
  return violations;
}
