import { quoted } from '../core/echoed-text.js';
import { metadataProblems } from '../core/kubernetes-metadata.js';

interface Metadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * The labels and annotations of a strictly valid ImageStream that the API server would refuse, one line each,
 * naming the field; keys are shown escaped. Empty when there are none.
 */
export function metadataViolations(metadata: Metadata): string[] {
  return metadataProblems(metadata.labels ?? {}, metadata.annotations ?? {}).map(({ field, key, problem }) => {
    const named = key === undefined ? '' : `[${quoted(key, 80)}]`;
    return `metadata.${field}${named}: ${problem}`;
  });
}
