import { metadataProblems } from '../core/kubernetes-metadata.js';
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
  for (const { field, key, part, problem } of metadataProblems(stream.labels, stream.annotations)) {
    const fieldPointer = childPointer(streamPointer, field);
    const at = key === undefined ? fieldPointer : childPointer(fieldPointer, key);
    problems.warnRefusedOnExport(at, `${subjectOf(at)}: ${problem}; an exported ImageStream would be refused`, part);
  }
}
