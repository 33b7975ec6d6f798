import { stringify } from 'yaml';
import type { ImageStreamObject } from './image-stream-types.js';

const YAML_OPTIONS = { lineWidth: 0, indentSeq: true, aliasDuplicateObjects: false } as const;

/** Objects as a multi-document YAML stream: the same objects give the same bytes. */
export function manifestsYaml(objects: readonly object[], header: readonly string[] = []): string {
  const comments = header.map((line) => `# ${line}\n`).join('');
  return comments + objects.map((object) => `---\n${stringify(object, YAML_OPTIONS)}`).join('');
}

/** The `kustomization.yaml` listing one file a stream, with the namespace when one is given. */
export function kustomizationYaml(files: readonly string[], namespace?: string): string {
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    ...(namespace && { namespace }),
    resources: [...files].sort(),
  };
  return stringify(kustomization, YAML_OPTIONS);
}

/** The file a stream is written to with `--split`. */
export function streamFileName(object: ImageStreamObject): string {
  return `${object.metadata.name}.yaml`;
}
