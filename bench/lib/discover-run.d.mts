export interface DiscoverRun {
  wallSeconds: number;
  peakRssKb: number;
  requests: number;
  pages: number;
  heads: number;
  byKind: Record<string, number>;
}

export interface DiscoverSize {
  tags: number;
  bound: { pages: number; heads: number; limit: number };
  firstPlan: DiscoverRun;
  noopPlan: DiscoverRun;
}

export interface DiscoverResult {
  paging: string;
  streams: number;
  sizes: DiscoverSize[];
}

export function measureDiscover(
  ctx: {
    cliPath: string;
    env: NodeJS.ProcessEnv;
    scratchDir: string;
    discoverStreams: number;
    discoverTags: number;
    discoverSmallTags: number;
  },
  dir: string,
  log: (message: string) => void,
): Promise<DiscoverResult>;
