import type { ManifestEntry } from './state-model.js';

/** What `inspect` reports (DESIGN §7). */
export interface InspectResult {
  reference: string;
  digest: string;
  mediaType: string;
  manifests: ManifestEntry[];
}
