import { type CatalogText, result } from './catalog-edit.js';
import { isMappingAt } from './catalog-replace.js';
import { setYamlValue } from './yaml-source-edit.js';

/** A tag whose `from` is rewritten, and the text it gets. */
export interface FromRewrite {
  stream: string;
  tag: string;
  from: string;
}

/**
 * Rewrites the `from` of each tag in place — the string, or the `name` of OpenShift's `{kind: DockerImage, name}` —
 * in its quoting style, leaving every other byte as it was; the result is validated as a whole.
 */
export function rewriteCatalogFroms(source: CatalogText, rewrites: readonly FromRewrite[]) {
  let text = source.text;
  for (const { stream, tag, from } of rewrites) {
    const path = ['streams', stream, 'tags', tag, 'from'];
    text = setYamlValue(text, isMappingAt(text, path) ? [...path, 'name'] : path, from);
  }
  return result(source, text);
}
