import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A directory laid out as the kubelet mounts a ConfigMap volume: the files live in a timestamped `..YYYY_MM_DD_…`
 * directory, `..data` links to it, and each key is a link through `..data`. An update writes a new timestamped
 * directory, points a new `..data_tmp` link at it, renames that over `..data` (atomic) and removes the old directory.
 */
export class ConfigMapVolume {
  private current: string | undefined;
  private generation = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** The path a pod reads key `name` at. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Publishes `files` (key → content) as the kubelet does, the first time or as an update. */
  publish(files: Record<string, string>): void {
    const version = `..2026_01_01_00_00_${String(this.generation++).padStart(2, '0')}.000000001`;
    mkdirSync(join(this.dir, version));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(this.dir, version, name), text);
    symlinkSync(version, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (this.current === undefined) {
      for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(this.dir, name));
    } else rmSync(join(this.dir, this.current), { recursive: true });
    this.current = version;
  }
}
