import {
  annotationKeyProblem,
  annotationsSizeProblem,
  labelKeyProblem,
  labelValueProblem,
} from '../core/kubernetes-metadata.js';
import { childPointer, subjectOf } from './json-pointer.js';
import type { ProblemList } from './problems.js';

/**
 * Warns about each label and annotation of a stream that the API server would refuse in the exported ImageStream's
 * metadata, where it is written. Tag annotations are not checked: OpenShift does not validate them.
 */
export function warnRefusedMetadata(
  stream: { labels: Record<string, string>; annotations: Record<string, string> },
  streamPointer: string,
  problems: ProblemList,
): void {
  const labels = Object.entries(stream.labels);
  const annotations = Object.entries(stream.annotations);
  if (labels.length === 0 && annotations.length === 0) return;
  const warn = (at: string, problem: string, where: 'key' | 'value') =>
    problems.warnRefusedOnExport(at, `${subjectOf(at)}: ${problem}; an exported ImageStream would be refused`, where);
  const labelsPointer = childPointer(streamPointer, 'labels');
  for (const [key, value] of labels) {
    const at = childPointer(labelsPointer, key);
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) warn(at, `not a label key Kubernetes accepts: ${keyProblem}`, 'key');
    const valueProblem = labelValueProblem(value);
    if (valueProblem) warn(at, `not a label value Kubernetes accepts: ${valueProblem}`, 'value');
  }
  const annotationsPointer = childPointer(streamPointer, 'annotations');
  for (const [key] of annotations) {
    const at = childPointer(annotationsPointer, key);
    const problem = annotationKeyProblem(key);
    if (problem) warn(at, `not an annotation key Kubernetes accepts: ${problem}`, 'key');
  }
  const sizeProblem = annotations.length > 0 && annotationsSizeProblem(stream.annotations);
  if (sizeProblem) warn(annotationsPointer, `too large for Kubernetes: ${sizeProblem}`, 'key');
}
