import { ago, type DescribedTag, manifestLines } from './describe-text.js';

export interface HistoryTextOptions {
  now: Date;
  attestations: boolean;
}

/**
 * `history STREAM:TAG`: every item of the tag, newest first (`*` marks the current one), with its generation, when it
 * was imported, its digest and the digest of each platform.
 */
export function renderHistoryText(tag: DescribedTag, options: HistoryTextOptions): string {
  const { spec } = tag;
  const policy = [spec.importMode, spec.scheduled ? 'scheduled' : 'pinned', spec.referencePolicy].join(', ');
  const lines = [`${tag.address}  ${spec.from}  (${policy})`, ''];
  for (const condition of tag.conditions) {
    lines.push(`! error: Import failed (${condition.reason}): ${condition.message}`);
    lines.push(`    ${ago(condition.lastTransitionTime, options.now)}`, '');
  }
  if (tag.items.length === 0) return `${[...lines, `${tag.address} has no imported image yet.`].join('\n')}\n`;
  const generations = tag.items.map((item) => String(item.generation));
  const created = tag.items.map((item) => `${item.created} (${ago(item.created, options.now)})`);
  const genWidth = Math.max('GENERATION'.length, ...generations.map((g) => g.length));
  const createdWidth = Math.max('IMPORTED'.length, ...created.map((c) => c.length));
  const row = (mark: string, generation: string, when: string, digest: string) =>
    `${mark} ${generation.padEnd(genWidth)}  ${when.padEnd(createdWidth)}  ${digest}`;
  lines.push(row(' ', 'GENERATION', 'IMPORTED', 'DIGEST'));
  tag.items.forEach((item, index) => {
    lines.push(row(index === 0 ? '*' : ' ', generations[index]!, created[index]!, item.digest));
    for (const line of manifestLines(item.manifests, options.attestations)) lines.push(`    ${line}`);
  });
  return `${lines.join('\n')}\n`;
}
