import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { State } from '../../src/core/state-model.js';
import { type CliOptions, type CliResult, runCli, tempDir } from './cli.js';

export type TagYaml = Record<string, unknown> & { from: string };

/** A catalog as data; `streams` maps stream → tag → tag spec. */
export interface CatalogSpec {
  defaults?: Record<string, unknown>;
  registries?: Record<string, Record<string, unknown>>;
  streams: Record<string, Record<string, TagYaml>>;
}

/** The catalog's YAML text: header, then defaults, registries and streams as given. */
export function catalogText(spec: CatalogSpec): string {
  const streams = Object.fromEntries(Object.entries(spec.streams).map(([name, tags]) => [name, { tags }]));
  return stringify({
    apiVersion: 'imagestreams/v1',
    kind: 'Catalog',
    ...(spec.defaults ? { defaults: spec.defaults } : {}),
    ...(spec.registries ? { registries: spec.registries } : {}),
    streams,
  });
}

/** Registry settings for plain-HTTP test registries (and fault proxies): `insecure: true` for each host. */
export function insecure(...hosts: string[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(hosts.map((host) => [host, { insecure: true }]));
}

/** A temporary directory holding one catalog (`imagestreams.yaml`) and its state, where the CLI runs. */
export class Workspace {
  readonly dir: string;

  constructor(prefix = 'imagestreams-e2e-') {
    this.dir = tempDir(prefix).path;
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  get catalogPath(): string {
    return this.file('imagestreams.yaml');
  }

  get statePath(): string {
    return this.file('imagestreams.state.json');
  }

  writeCatalog(catalog: string | CatalogSpec): void {
    writeFileSync(this.catalogPath, typeof catalog === 'string' ? catalog : catalogText(catalog));
  }

  /** Runs the built CLI in this directory. */
  run(args: readonly string[], options: Omit<CliOptions, 'cwd'> = {}): Promise<CliResult> {
    return runCli(args, { ...options, cwd: this.dir });
  }

  /** Runs the CLI and fails with its output unless it exits with `code`. */
  async expectRun(args: readonly string[], code: number, options: Omit<CliOptions, 'cwd'> = {}): Promise<CliResult> {
    const result = await this.run(args, options);
    if (result.code !== code) {
      throw new Error(
        `imagestreams ${args.join(' ')} exited ${result.code}, expected ${code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
      );
    }
    return result;
  }

  /** The state file's bytes, undefined when there is none. */
  stateBytes(path = this.statePath): Buffer | undefined {
    return existsSync(path) ? readFileSync(path) : undefined;
  }

  state(path = this.statePath): State {
    return JSON.parse(readFileSync(path, 'utf8')) as State;
  }
}

/** `value` with the keys of every object sorted, to compare a file with its canonical form. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
