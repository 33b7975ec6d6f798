import type { WatchedCredentials } from './options.js';

type WatchFile = (path: string, onChange: () => void) => () => void;

/** The credentials files whose content differs between two loads (a file only one of them reads included). */
export function changedCredentials(before: WatchedCredentials | undefined, after: WatchedCredentials | undefined) {
  const paths = new Set([...(before?.paths ?? []), ...(after?.paths ?? [])]);
  return [...paths].filter((path) => before?.digests.get(path) !== after?.digests.get(path));
}

/** Watches a set of credentials files, replaced as a whole when the catalog names others. */
export class CredentialsWatch {
  private watched: readonly string[] = [];
  private stops: (() => void)[] = [];

  constructor(
    private readonly watchFile: WatchFile,
    private readonly onChange: () => void,
  ) {}

  follow(credentials: WatchedCredentials | undefined): void {
    const paths = credentials?.paths ?? [];
    if (paths.join('\n') === this.watched.join('\n')) return;
    this.close();
    this.watched = paths;
    this.stops = paths.map((path) => this.watchFile(path, this.onChange));
  }

  close(): void {
    for (const stop of this.stops) stop();
    this.stops = [];
    this.watched = [];
  }
}
