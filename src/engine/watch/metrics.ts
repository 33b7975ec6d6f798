import type { WatchEvent, WatchFailureReason } from './events.js';
import type { ScheduleEntryView } from './scheduler.js';

/** Every failure reason, so that each series exists (at 0) from the start. */
const FAILURE_REASONS: Record<WatchFailureReason, true> = {
  NotFound: true,
  Unauthorized: true,
  Forbidden: true,
  TooManyRequests: true,
  InvalidManifest: true,
  TLSError: true,
  Unreachable: true,
  InternalError: true,
  StateError: true,
  CatalogError: true,
};

/** Counts what `watch` does, for the Prometheus text exposition format (version 0.0.4). */
export class WatchMetrics {
  private checks = 0;
  private imports = 0;
  private readonly failures = new Map<string, number>(Object.keys(FAILURE_REASONS).map((r) => [r, 0]));
  private readonly reloads = { applied: 0, invalid: 0 };
  private readonly listings = { listed: 0, failed: 0 };
  private removals = 0;
  private readonly lastSuccess = new Map<string, number>();

  observe(event: WatchEvent): void {
    switch (event.type) {
      case 'unchanged':
      case 'imported':
        this.checks++;
        if (event.type === 'imported') this.imports++;
        this.lastSuccess.set(event.address, Date.parse(event.time));
        return;
      case 'failed':
        this.checks++;
        this.failures.set(event.reason, (this.failures.get(event.reason) ?? 0) + 1);
        return;
      case 'discovered':
        this.listings.listed++;
        this.removals += event.removed.length;
        return;
      case 'discovery-failed':
        this.listings.failed++;
        this.failures.set(event.reason, (this.failures.get(event.reason) ?? 0) + 1);
        return;
      case 'catalog-reloaded':
        this.reloads.applied++;
        return;
      case 'catalog-invalid':
      case 'credentials-invalid':
        this.reloads.invalid++;
        return;
    }
  }

  /** The metrics text, with per-tag (and per-discovery) series for what `schedule` holds now. */
  render(schedule: readonly ScheduleEntryView[]): string {
    const sorted = [...schedule].sort((a, b) => a.address.localeCompare(b.address));
    const tags = sorted.filter((e) => !e.discovery);
    const discoveries = sorted.filter((e) => e.discovery);
    const lastSuccess = tags.flatMap((t) => {
      const at = this.lastSuccess.get(t.address);
      return at === undefined ? [] : [sample(tagLabels(t.address), seconds(at))];
    });
    return [
      family('imagestreams_watch_checks_total', 'counter', 'Checks of scheduled tags against their upstream.', [
        sample({}, this.checks),
      ]),
      family('imagestreams_watch_imports_total', 'counter', 'Imports of scheduled tags recorded in the state.', [
        sample({}, this.imports),
      ]),
      family(
        'imagestreams_watch_failures_total',
        'counter',
        'Failed checks and imports, by reason.',
        [...this.failures].map(([reason, count]) => sample({ reason }, count)),
      ),
      family(
        'imagestreams_watch_catalog_reloads_total',
        'counter',
        'Reloads after a change of the catalog or its credentials files, by result.',
        [sample({ result: 'applied' }, this.reloads.applied), sample({ result: 'invalid' }, this.reloads.invalid)],
      ),
      family('imagestreams_watch_listings_total', 'counter', 'Listings of discovered repositories, by result.', [
        sample({ result: 'listed' }, this.listings.listed),
        sample({ result: 'failed' }, this.listings.failed),
      ]),
      family(
        'imagestreams_watch_discovered_removals_total',
        'counter',
        'Discovered tags forgotten from the state because they left their window.',
        [sample({}, this.removals)],
      ),
      family('imagestreams_watch_scheduled_tags', 'gauge', 'Scheduled tags watched.', [sample({}, tags.length)]),
      family(
        'imagestreams_watch_last_success_timestamp_seconds',
        'gauge',
        'When each tag was last checked or imported successfully (Unix time).',
        lastSuccess,
      ),
      family(
        'imagestreams_watch_next_check_timestamp_seconds',
        'gauge',
        'When each tag is checked next (Unix time).',
        tags.map((t) => sample(tagLabels(t.address), seconds(t.nextCheckAt))),
      ),
      family(
        'imagestreams_watch_consecutive_failures',
        'gauge',
        'Failed checks of each tag since its last success.',
        tags.map((t) => sample(tagLabels(t.address), t.failures)),
      ),
      family(
        'imagestreams_watch_next_listing_timestamp_seconds',
        'gauge',
        'When each discovering stream lists its repository next (Unix time).',
        discoveries.map((d) => sample({ stream: d.address }, seconds(d.nextCheckAt))),
      ),
    ].join('');
  }
}

type Labels = Record<string, string>;

function family(name: string, type: 'counter' | 'gauge', help: string, samples: [Labels, number][]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) lines.push(`${name}${formatLabels(labels)} ${value}`);
  return `${lines.join('\n')}\n`;
}

function sample(labels: Labels, value: number): [Labels, number] {
  return [labels, value];
}

function tagLabels(address: string): Labels {
  const colon = address.indexOf(':');
  return { stream: address.slice(0, colon), tag: address.slice(colon + 1) };
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function seconds(epochMs: number): number {
  return epochMs / 1000;
}
