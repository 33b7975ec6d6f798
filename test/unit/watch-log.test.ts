import { describe, expect, it } from 'vitest';
import { formatWatchEvent, type WatchLogEvent } from '../../src/cli/watch-log.js';

const time = '2026-01-01T00:00:00.000Z';
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const next = '2026-01-01T00:15:00.000Z';

const cases: [WatchLogEvent, string][] = [
  [
    { time, type: 'started', catalog: 'imagestreams.yaml', tags: 3, importsPerMinute: 60, once: false },
    'watching imagestreams.yaml: 3 scheduled tags, at most 60 imports a minute',
  ],
  [
    { time, type: 'started', catalog: 'imagestreams.yaml', tags: 1, importsPerMinute: 0, once: true },
    'checking the 1 scheduled tag of imagestreams.yaml once',
  ],
  [
    { time, type: 'started', catalog: 'imagestreams.yaml', tags: 3, discoveries: 1, importsPerMinute: 60, once: false },
    'watching imagestreams.yaml: 3 scheduled tags, 1 discovered repository, at most 60 imports a minute',
  ],
  [
    { time, type: 'started', catalog: 'imagestreams.yaml', tags: 0, discoveries: 2, importsPerMinute: 0, once: true },
    'checking the 0 scheduled tags and listing the 2 discovered repositories of imagestreams.yaml once',
  ],
  [
    { time, type: 'catalog-reloaded', catalog: 'imagestreams.yaml', tags: 3, discoveries: 1 },
    'catalog imagestreams.yaml reloaded: 3 scheduled tags, 1 discovered repository',
  ],
  [
    {
      time,
      type: 'discovered',
      stream: 'postgres',
      repository: 'docker.io/library/postgres',
      tags: ['17.2', '17.1'],
      added: ['17.2'],
      removed: ['16.0'],
      retained: [],
      recovered: false,
      nextCheck: next,
    },
    `postgres listed docker.io/library/postgres: kept 17.2, 17.1 (added 17.2; removed 16.0); next listing ${next}`,
  ],
  [
    {
      time,
      type: 'discovered',
      stream: 'postgres',
      repository: 'docker.io/library/postgres',
      tags: [],
      added: [],
      removed: [],
      retained: [],
      recovered: true,
      nextCheck: null,
    },
    'postgres listed docker.io/library/postgres: kept no tag, recovered',
  ],
  [
    {
      time,
      type: 'discovery-failed',
      stream: 'postgres',
      repository: 'docker.io/library/postgres',
      reason: 'TooManyRequests',
      message: 'listing docker.io/library/postgres: HTTP 429',
      failures: 2,
      nextCheck: next,
    },
    `postgres could not list docker.io/library/postgres (TooManyRequests): listing docker.io/library/postgres: HTTP 429; its discovered tags are left as they are; 2 failures in a row; next try ${next}`,
  ],
  [
    {
      time,
      type: 'discovery-failed',
      stream: 'postgres',
      repository: 'docker.io/library/postgres',
      reason: 'CatalogError',
      message:
        'imagestreams.yaml:9:7: error: tag "16.2" of stream "postgres" is also discovered from postgres (discover on line 5): …',
      failures: 1,
      nextCheck: next,
    },
    `postgres cannot follow what it listed in docker.io/library/postgres (CatalogError): imagestreams.yaml:9:7: error: tag "16.2" of stream "postgres" is also discovered from postgres (discover on line 5): …; its discovered tags are left as they are; 1 failure in a row; next try ${next}`,
  ],
  [
    { time, type: 'metrics-listening', url: 'http://127.0.0.1:9090' },
    'metrics on http://127.0.0.1:9090/metrics, health on http://127.0.0.1:9090/healthz',
  ],
  [
    {
      time,
      type: 'unchanged',
      address: 'ubi9:latest',
      digest: DIGEST_A,
      recovered: false,
      failures: 0,
      nextCheck: next,
    },
    `ubi9:latest unchanged (sha256:aaaaaaaaaaaa); next check ${next}`,
  ],
  [
    {
      time,
      type: 'imported',
      address: 'ubi9:latest',
      action: 'update',
      reason: 'upstream_moved',
      digest: DIGEST_B,
      previous: DIGEST_A,
      followers: [],
      recovered: true,
      failures: 0,
      nextCheck: next,
    },
    `ubi9:latest imported sha256:bbbbbbbbbbbb (upstream moved, was sha256:aaaaaaaaaaaa), recovered; next check ${next}`,
  ],
  [
    {
      time,
      type: 'imported',
      address: 'dev:latest',
      action: 'update',
      reason: 'upstream_moved',
      digest: DIGEST_B,
      previous: DIGEST_A,
      followers: ['prod:latest', 'prod:stable'],
      recovered: false,
      failures: 0,
      nextCheck: next,
    },
    `dev:latest imported sha256:bbbbbbbbbbbb (upstream moved, was sha256:aaaaaaaaaaaa), with prod:latest, prod:stable; next check ${next}`,
  ],
  [
    {
      time,
      type: 'imported',
      address: 'demo:new',
      action: 'create',
      reason: 'new_tag',
      digest: DIGEST_B,
      previous: null,
      followers: [],
      recovered: false,
      failures: 0,
      nextCheck: null,
    },
    'demo:new imported sha256:bbbbbbbbbbbb (new)',
  ],
  [
    {
      time,
      type: 'failed',
      address: 'demo:1',
      reason: 'Unreachable',
      message: 'cannot connect to registry.example',
      failures: 3,
      nextCheck: next,
    },
    `demo:1 failed (Unreachable): cannot connect to registry.example; 3 failures in a row; next try ${next}`,
  ],
  [
    {
      time,
      type: 'lock-wait',
      address: 'demo:1',
      holder: { id: 'id-1', operation: 'apply', who: 'ci@runner', pid: 42, created: time },
    },
    'demo:1 waits for the state lock held by apply (ci@runner, pid 42, lock id-1)',
  ],
  [
    { time, type: 'abandoned', address: 'demo:1' },
    'demo:1 abandoned: stopped before it finished (nothing of it was written after the stop)',
  ],
  [
    { time, type: 'catalog-reloaded', catalog: 'imagestreams.yaml', tags: 2 },
    'catalog imagestreams.yaml reloaded: 2 scheduled tags',
  ],
  [
    {
      time,
      type: 'catalog-reloaded',
      catalog: 'imagestreams.yaml',
      tags: 2,
      credentials: ['/run/secrets/pull/auth.json'],
    },
    'catalog imagestreams.yaml reloaded with new credentials from /run/secrets/pull/auth.json: 2 scheduled tags',
  ],
  [
    {
      time,
      type: 'credentials-invalid',
      catalog: 'imagestreams.yaml',
      message: '--authfile /run/secrets/pull/auth.json:1:9: invalid JSON',
    },
    'credentials of catalog imagestreams.yaml cannot be used, keeping the last good ones: --authfile /run/secrets/pull/auth.json:1:9: invalid JSON',
  ],
  [
    {
      time,
      type: 'catalog-invalid',
      catalog: 'imagestreams.yaml',
      message: 'imagestreams.yaml:3:5: error: one\nimagestreams.yaml:9:1: error: two',
      problems: ['imagestreams.yaml:3:5: error: one', 'imagestreams.yaml:9:1: error: two'],
    },
    'catalog imagestreams.yaml is invalid, keeping the last good one: imagestreams.yaml:3:5: error: one; imagestreams.yaml:9:1: error: two',
  ],
  [
    {
      time,
      type: 'warning',
      message: 'NODE_EXTRA_CA_CERTS: /etc/ca.pem holds no PEM certificate; going on without it',
    },
    'warning: NODE_EXTRA_CA_CERTS: /etc/ca.pem holds no PEM certificate; going on without it',
  ],
  [{ time, type: 'stopping', reason: 'SIGTERM' }, 'stopping (SIGTERM)'],
  [
    { time, type: 'stopped', checks: 1, imported: 1, failed: 0, abandoned: 0 },
    'stopped: 1 check, 1 imported, 0 failed, 0 abandoned',
  ],
];

describe('watch log lines', () => {
  it.each(cases)('text: %j', (event, sentence) => {
    expect(formatWatchEvent(event, false)).toBe(`${time} ${sentence}\n`);
  });

  it.each(cases.map(([event]) => [event.type, event] as const))(
    'json: %s is one NDJSON line of the event',
    (_, event) => {
      const line = formatWatchEvent(event, true);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      expect(JSON.parse(line)).toEqual(event);
    },
  );
});
