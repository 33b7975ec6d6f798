import { shortDigest } from '../core/digest.js';
import type { InspectResult } from '../core/inspect-result.js';

export interface InspectTextOptions {
  abbrev: boolean;
}

/** `inspect` as text: the image, then one line per manifest (platform, digest, media type, size). */
export function renderInspectText(result: InspectResult, options: InspectTextOptions): string {
  const digest = (d: string) => (options.abbrev ? shortDigest(d) : d);
  const lines = [`Name:       ${result.reference}`, `Digest:     ${result.digest}`, `Media Type: ${result.mediaType}`];
  const width = Math.max(...result.manifests.map((m) => m.platform.length), 8);
  lines.push('Manifests:');
  for (const m of result.manifests) {
    const flag = m.attestation ? '  (attestation)' : '';
    lines.push(`  ${m.platform.padEnd(width)}  ${digest(m.digest)}  ${m.mediaType}  ${m.size} B${flag}`);
  }
  return `${lines.join('\n')}\n`;
}
