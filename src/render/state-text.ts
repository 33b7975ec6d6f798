import { shortDigest } from '../core/digest.js';
import { recordedTag } from '../core/state-lookup.js';
import type { State, TagState } from '../core/state-model.js';

export interface StateTextOptions {
  abbrev: boolean;
  /** Show attestation manifests too. */
  attestations?: boolean;
}

/** `show`: every tag of the state (or those selected) with its spec, current image and per-platform manifests. */
export function renderStateText(state: State, addresses: string[], options: StateTextOptions): string {
  const blocks = addresses.map((address) => {
    const [stream, tag] = splitAddress(address);
    return renderTag(address, recordedTag(state, stream, tag)!, options);
  });
  if (blocks.length === 0) return 'The state holds no tags.\n';
  return `${blocks.join('\n')}\n`;
}

function renderTag(address: string, tag: TagState, options: StateTextOptions): string {
  const digest = (d: string) => (options.abbrev ? shortDigest(d) : d);
  const policy = `${tag.spec.importMode}, ${tag.spec.scheduled ? 'scheduled' : 'pinned'}, ${tag.spec.referencePolicy}`;
  const lines = [`${address}  ${tag.spec.from}  (${policy})`];
  const current = tag.items[0];
  if (current) {
    lines.push(`  image     ${current.dockerImageReference}`);
    lines.push(`  imported  ${current.created} (generation ${current.generation})`);
    const shown = current.manifests.filter((m) => options.attestations || !m.attestation);
    const width = Math.max(0, ...shown.map((m) => m.platform.length));
    for (const m of shown)
      lines.push(`    ${m.platform.padEnd(width)}  ${digest(m.digest)}${m.attestation ? '  (attestation)' : ''}`);
  } else {
    lines.push('  not imported yet');
  }
  for (const c of tag.conditions) lines.push(`  ! error: Import failed (${c.reason}): ${c.message}`);
  if (tag.items.length > 1) lines.push(`  history   ${tag.items.length} items`);
  return lines.join('\n');
}

export function splitAddress(address: string): [string, string] {
  const colon = address.indexOf(':');
  return [address.slice(0, colon), address.slice(colon + 1)];
}

/** Addresses of the state's tags selected by `target` (`stream` or `stream:tag`; all when undefined), sorted. */
export function stateAddresses(state: State, target?: string): string[] {
  const out: string[] = [];
  for (const stream of Object.keys(state.streams).sort()) {
    for (const tag of Object.keys(state.streams[stream]!.tags).sort()) {
      const address = `${stream}:${tag}`;
      if (target === undefined || target === stream || target === address) out.push(address);
    }
  }
  return out;
}
