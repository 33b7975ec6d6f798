import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { State, TagState } from '../../src/core/state-model.js';
import { makeTempDir, trackProcess } from './cleanup.js';
import { CLI_PATH, type CliResult, callerEnv, runCli, tempDir } from './cli.js';
import { type ImageSpec, writeImageLayout } from './images.js';
import type { RegistryHandle } from './registry.js';
import { pushLayout } from './skopeo.js';

/** One NDJSON line of `watch --json`. */
export type LoggedEvent = Record<string, unknown> & { time: string; type: string };

/** Waits until `probe` returns something other than undefined, checking every 100 ms, failing after `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Tags of the stream `app`: `[upstream tag, scheduled, scheduleInterval?]` by name. */
type CatalogTags = Record<string, [string, boolean, string?]>;

/** A workspace directory with a catalog of registry tags, where the CLI runs. */
export class WatchWorkspace {
  readonly dir = tempDir('imagestreams-watch-e2e-').path;
  private readonly layoutDir = join(tempDir('imagestreams-watch-layout-').path, 'layout');

  constructor(readonly registry: RegistryHandle) {}

  get catalogPath(): string {
    return join(this.dir, 'imagestreams.yaml');
  }

  get statePath(): string {
    return join(this.dir, 'imagestreams.state.json');
  }

  /** The repository of the test registry this workspace's upstream images are pushed to. */
  readonly repository = `team/app-${randomBytes(4).toString('hex')}`;

  /** Pushes a two-platform image seeded by `seed` as `repository:tag`; returns its (index) digest. */
  async push(tag: string, seed: string, spec: Partial<ImageSpec> = {}): Promise<string> {
    const layoutTag = `${this.repository.replaceAll('/', '-')}-${tag}`;
    const layout = writeImageLayout(this.layoutDir, {
      tags: { [layoutTag]: { platforms: ['linux/amd64', 'linux/arm64'], seed, ...spec } },
    });
    await pushLayout(this.layoutDir, layoutTag, this.registry, `${this.repository}:${tag}`);
    return layout.tags[layoutTag]!.digest;
  }

  /**
   * Writes the catalog: tags of one stream `app`, each `[upstream tag, scheduled, scheduleInterval?]` on `host` (the
   * registry, or a proxy in front of it), which is marked insecure (plain HTTP).
   */
  writeCatalog(tags: CatalogTags, host = this.registry.host): void {
    writeFileSync(this.catalogPath, this.catalogText(tags, host));
  }

  /** The text `writeCatalog` writes. */
  catalogText(tags: CatalogTags, host = this.registry.host): string {
    const catalog = {
      apiVersion: 'imagestreams/v1',
      kind: 'Catalog',
      registries: { [host]: { insecure: true } },
      streams: {
        app: {
          tags: Object.fromEntries(
            Object.entries(tags).map(([name, [upstream, scheduled, scheduleInterval]]) => [
              name,
              {
                from: `${host}/${this.repository}:${upstream}`,
                scheduled,
                ...(scheduleInterval && { scheduleInterval }),
              },
            ]),
          ),
        },
      },
    };
    return stringify(catalog);
  }

  state(): State | undefined {
    return existsSync(this.statePath) ? (JSON.parse(readFileSync(this.statePath, 'utf8')) as State) : undefined;
  }

  tag(name: string): TagState | undefined {
    return this.state()?.streams.app?.tags[name];
  }

  /** The digest the tag's newest item was resolved from, if it has one. */
  sourceDigest(name: string): string | undefined {
    return this.tag(name)?.items[0]?.sourceDigest;
  }

  run(args: readonly string[]): Promise<CliResult> {
    return runCli(args, { cwd: this.dir });
  }

  /** Starts `watch --json ARGS`; with `json: false`, `watch ARGS`, whose text lines are in `lines` (no `events`). */
  watch(args: readonly string[], { json = true } = {}): WatchProcess {
    return new WatchProcess(['watch', ...(json ? ['--json'] : []), ...args], this.dir);
  }
}

/** `imagestreams watch` running in the background; its log lines are collected (and, with --json, parsed) as they come. */
export class WatchProcess {
  readonly child: ChildProcess;
  readonly events: LoggedEvent[] = [];
  readonly lines: string[] = [];
  private stderr = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: readonly string[], cwd: string) {
    const env = callerEnv();
    this.child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd,
      env: { ...env, HOME: makeTempDir('imagestreams-watch-home-'), NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    trackProcess(this.child);
    let pending = '';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.stderr += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      this.lines.push(...lines);
      if (args.includes('--json')) for (const line of lines) this.events.push(JSON.parse(line) as LoggedEvent);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first event matching, once it was logged. */
  event(match: (event: LoggedEvent) => boolean, what: string, timeoutMs?: number): Promise<LoggedEvent> {
    return eventually(() => this.events.find(match), `${what}\n--- watch log so far:\n${this.stderr}`, timeoutMs);
  }

  eventsOf(type: string, address?: string): LoggedEvent[] {
    return this.events.filter((e) => e.type === type && (address === undefined || e.address === address));
  }

  /** Sends `signal` and waits for the process to end, failing after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number | null> {
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`watch did not exit within ${timeoutMs} ms of ${signal}:\n${this.stderr}`)),
        timeoutMs,
      );
    });
    try {
      return (await Promise.race([this.exited, timeout])).code;
    } finally {
      clearTimeout(timer);
    }
  }

  get log(): string {
    return this.stderr;
  }
}
