export const DISCOVER_KEEP: number;
export function versionTag(i: number): string;
export interface DiscoverDataset {
  streams: number;
  tags: number;
  repositories: { name: string; stream: string }[];
  kept: string[];
}
export function discoverDataset(streams: number, tags: number, namespace?: string): DiscoverDataset;
export function discoverCatalog(
  dataset: DiscoverDataset,
  host: string,
): { streams: Record<string, { discover: { from: string; policy: { semver: string }; keep: number } }> };
export function discoverBound(
  dataset: DiscoverDataset,
  pageSize?: number,
): { pages: number; heads: number; limit: number };
