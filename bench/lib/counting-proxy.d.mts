export interface ProxyCounts {
  requests: number;
  tokenRequests?: number;
  connections: number;
  nonHttpConnections: number;
  firstRequestAt?: number;
  byKind: Record<string, number>;
}

export interface CountingProxy {
  port: number;
  host: string;
  counts(): ProxyCounts;
  reset(): void;
  stop(): Promise<void>;
}

export function requestKind(method: string, url: string): string;

export function startCountingProxy(upstream: {
  port: number;
  scheme: 'http' | 'https';
  ca?: { caPem: string };
  serverTls?: { cert: string; key: string };
  tokenServer?: unknown;
}): Promise<CountingProxy>;
