/** The bench's tags over its repositories; only what tests read of it is typed here. */
export interface BenchDataset {
  repositories: { name: string; stream: string; tags: { index: number; name: string }[] }[];
}

export function benchDataset(tags: number, tagsPerRepository: number): BenchDataset;

/** The bench's catalog, as a plain object for YAML. */
export function benchCatalog(
  dataset: BenchDataset,
  registryHost: string,
  registrySettings: Record<string, unknown>,
  mirrorTo?: string,
): Record<string, unknown>;
