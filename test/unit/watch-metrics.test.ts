import { describe, expect, it } from 'vitest';
import type { WatchEvent } from '../../src/engine/watch/events.js';
import { WatchMetrics } from '../../src/engine/watch/metrics.js';

const T0 = '2026-01-01T00:00:00.000Z';
const tagEvent = { failures: 0, nextCheck: null, recovered: false };

function metricsAfter(events: WatchEvent[]): WatchMetrics {
  const metrics = new WatchMetrics();
  for (const event of events) metrics.observe(event);
  return metrics;
}

/** The sample lines of the metric `name` (without HELP and TYPE). */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('watch metrics', () => {
  const metrics = metricsAfter([
    { time: T0, type: 'unchanged', address: 'ubi9:latest', digest: null, ...tagEvent },
    {
      time: '2026-01-01T00:01:00.500Z',
      type: 'imported',
      address: 'demo:1.0',
      action: 'update',
      reason: 'upstream_moved',
      digest: 'sha256:aa',
      previous: 'sha256:bb',
      followers: [],
      ...tagEvent,
    },
    { time: T0, type: 'failed', address: 'demo:2', reason: 'NotFound', message: 'gone', failures: 2, nextCheck: null },
    { time: T0, type: 'failed', address: 'demo:2', reason: 'NotFound', message: 'gone', failures: 3, nextCheck: null },
    { time: T0, type: 'catalog-invalid', catalog: 'imagestreams.yaml', message: 'bad', problems: ['bad'] },
    { time: T0, type: 'credentials-invalid', catalog: 'imagestreams.yaml', message: 'auth.json: invalid JSON' },
  ]);
  const text = metrics.render([
    { address: 'ubi9:latest', nextCheckAt: Date.parse('2026-01-01T00:15:00Z'), failures: 0, running: false },
    { address: 'demo:1.0', nextCheckAt: Date.parse('2026-01-01T00:16:00Z'), failures: 0, running: false },
    { address: 'demo:2', nextCheckAt: Date.parse('2026-01-01T02:00:00Z'), failures: 3, running: false },
  ]);

  it.each([
    ['imagestreams_watch_checks_total', ['imagestreams_watch_checks_total 4']],
    ['imagestreams_watch_imports_total', ['imagestreams_watch_imports_total 1']],
    [
      'imagestreams_watch_catalog_reloads_total',
      [
        'imagestreams_watch_catalog_reloads_total{result="applied"} 0',
        'imagestreams_watch_catalog_reloads_total{result="invalid"} 2',
      ],
    ],
    ['imagestreams_watch_scheduled_tags', ['imagestreams_watch_scheduled_tags 3']],
    [
      'imagestreams_watch_last_success_timestamp_seconds',
      [
        'imagestreams_watch_last_success_timestamp_seconds{stream="demo",tag="1.0"} 1767225660.5',
        'imagestreams_watch_last_success_timestamp_seconds{stream="ubi9",tag="latest"} 1767225600',
      ],
    ],
    [
      'imagestreams_watch_next_check_timestamp_seconds',
      [
        'imagestreams_watch_next_check_timestamp_seconds{stream="demo",tag="1.0"} 1767226560',
        'imagestreams_watch_next_check_timestamp_seconds{stream="demo",tag="2"} 1767232800',
        'imagestreams_watch_next_check_timestamp_seconds{stream="ubi9",tag="latest"} 1767226500',
      ],
    ],
    [
      'imagestreams_watch_consecutive_failures',
      [
        'imagestreams_watch_consecutive_failures{stream="demo",tag="1.0"} 0',
        'imagestreams_watch_consecutive_failures{stream="demo",tag="2"} 3',
        'imagestreams_watch_consecutive_failures{stream="ubi9",tag="latest"} 0',
      ],
    ],
  ])('%s', (name, expected) => {
    expect(samples(text, name)).toEqual(expected);
  });

  it('counts failures by reason, every reason present from the start', () => {
    const failures = samples(text, 'imagestreams_watch_failures_total');
    expect(failures).toContain('imagestreams_watch_failures_total{reason="NotFound"} 2');
    expect(failures).toContain('imagestreams_watch_failures_total{reason="TooManyRequests"} 0');
    expect(failures).toContain('imagestreams_watch_failures_total{reason="StateError"} 0');
    expect(failures).toContain('imagestreams_watch_failures_total{reason="CatalogError"} 0');
    expect(failures).toHaveLength(10);
  });

  it('declares each metric family once, with HELP and TYPE, and ends with a newline', () => {
    const types = text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(types).toEqual([
      '# TYPE imagestreams_watch_checks_total counter',
      '# TYPE imagestreams_watch_imports_total counter',
      '# TYPE imagestreams_watch_failures_total counter',
      '# TYPE imagestreams_watch_catalog_reloads_total counter',
      '# TYPE imagestreams_watch_listings_total counter',
      '# TYPE imagestreams_watch_discovered_removals_total counter',
      '# TYPE imagestreams_watch_scheduled_tags gauge',
      '# TYPE imagestreams_watch_last_success_timestamp_seconds gauge',
      '# TYPE imagestreams_watch_next_check_timestamp_seconds gauge',
      '# TYPE imagestreams_watch_consecutive_failures gauge',
      '# TYPE imagestreams_watch_next_listing_timestamp_seconds gauge',
    ]);
    expect(text.split('\n').filter((line) => line.startsWith('# HELP '))).toHaveLength(types.length);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('leaves out tags that are no longer watched', () => {
    const later = metrics.render([]);
    expect(samples(later, 'imagestreams_watch_last_success_timestamp_seconds')).toEqual([]);
    expect(samples(later, 'imagestreams_watch_scheduled_tags')).toEqual(['imagestreams_watch_scheduled_tags 0']);
  });

  it('escapes label values', () => {
    const odd = metricsAfter([]).render([{ address: 'a:b"c\\d', nextCheckAt: 0, failures: 0, running: false }]);
    expect(samples(odd, 'imagestreams_watch_consecutive_failures')).toEqual([
      'imagestreams_watch_consecutive_failures{stream="a",tag="b\\"c\\\\d"} 0',
    ]);
  });

  it('counts listings of discovered repositories and the tags they removed, apart from the tags', () => {
    const listing = { stream: 'postgres', repository: 'docker.io/library/postgres', nextCheck: null };
    const listed = metricsAfter([
      {
        time: T0,
        type: 'discovered',
        ...listing,
        tags: ['17.1'],
        added: ['17.1'],
        removed: ['16.0', '16.1'],
        retained: [],
        recovered: false,
      },
      { time: T0, type: 'discovery-failed', ...listing, reason: 'TooManyRequests', message: 'HTTP 429', failures: 1 },
    ]).render([
      {
        address: 'postgres',
        discovery: true,
        nextCheckAt: Date.parse('2026-01-01T00:15:00Z'),
        failures: 1,
        running: false,
      },
      { address: 'postgres:17.1', nextCheckAt: Date.parse('2026-01-01T00:16:00Z'), failures: 0, running: false },
    ]);
    expect(samples(listed, 'imagestreams_watch_listings_total')).toEqual([
      'imagestreams_watch_listings_total{result="listed"} 1',
      'imagestreams_watch_listings_total{result="failed"} 1',
    ]);
    expect(samples(listed, 'imagestreams_watch_discovered_removals_total')).toEqual([
      'imagestreams_watch_discovered_removals_total 2',
    ]);
    expect(samples(listed, 'imagestreams_watch_failures_total')).toContain(
      'imagestreams_watch_failures_total{reason="TooManyRequests"} 1',
    );
    expect(samples(listed, 'imagestreams_watch_checks_total')).toEqual(['imagestreams_watch_checks_total 0']);
    expect(samples(listed, 'imagestreams_watch_scheduled_tags')).toEqual(['imagestreams_watch_scheduled_tags 1']);
    expect(samples(listed, 'imagestreams_watch_next_listing_timestamp_seconds')).toEqual([
      'imagestreams_watch_next_listing_timestamp_seconds{stream="postgres"} 1767226500',
    ]);
  });
});
