import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import { inDependencyOrder, isFollowingChange } from '../../src/core/following-changes.js';
import { OCI_MANIFEST } from '../../src/core/media-types.js';
import type { PlannedChange, PlannedItem } from '../../src/core/plan-model.js';
import { computePlan, type Observation } from '../../src/core/planner.js';
import type { State, TagItem } from '../../src/core/state-model.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

function planned(c: string): PlannedItem {
  return {
    digest: digest(c),
    sourceDigest: digest(c),
    mediaType: OCI_MANIFEST,
    dockerImageReference: `quay.io/org/app@${digest(c)}`,
    manifests: [{ platform: 'linux/amd64', digest: digest(c), mediaType: OCI_MANIFEST, size: 10 }],
  };
}

const recorded = (c: string): TagItem => ({ ...planned(c), created: '2026-11-01T00:00:00.000Z', generation: 1 });

/** prod:latest follows staging:latest (written first), which follows dev:latest; prod:old is a snapshot of dev. */
const CATALOG = parseCatalog(
  `apiVersion: imagestreams/v1
kind: Catalog
streams:
  prod:
    tags:
      latest: { from: "staging:latest" }
      old: { from: "dev@${digest('a')}" }
  staging:
    tags:
      latest: { from: "dev:latest" }
  dev:
    tags:
      latest: { from: quay.io/org/app:dev, scheduled: true }
`,
  'imagestreams.yaml',
);

function stateWith(tags: Record<string, Record<string, TagItem>>): State {
  const streams = Object.fromEntries(
    Object.entries(tags).map(([stream, byTag]) => [
      stream,
      {
        tags: Object.fromEntries(
          Object.entries(byTag).map(([tag, item]) => {
            const spec = [...CATALOG.tags, ...(CATALOG.references ?? [])].find(
              (t) => t.address === `${stream}:${tag}`,
            )!.spec;
            return [tag, { spec, items: [item], conditions: [] }];
          }),
        ),
      },
    ]),
  );
  return { version: 1, lineage: 'l', serial: 1, streams };
}

function plan(state: State | null, observation: Observation, targets: string[] = []) {
  return computePlan({
    catalog: CATALOG,
    state,
    observations: new Map([['dev:latest', observation]]),
    targets,
    reimport: new Set(),
    now: new Date('2026-12-01T00:00:00Z'),
  });
}

const byAddress = (changes: PlannedChange[]) => new Map(changes.map((c) => [c.address, c]));

describe('planning tags that follow other tags', () => {
  it('gives each follower its target’s newly planned image, whatever order the catalog lists them in', () => {
    const state = stateWith({
      dev: { latest: recorded('a') },
      staging: { latest: recorded('a') },
      prod: { latest: recorded('a'), old: recorded('a') },
    });
    const result = plan(state, { kind: 'resolved', item: planned('b') });
    const changes = byAddress(result.changes);
    expect(changes.get('dev:latest')).toMatchObject({ action: 'update', reason: 'upstream_moved' });
    expect(changes.get('staging:latest')).toMatchObject({
      action: 'update',
      reason: 'upstream_moved',
      after: { digest: digest('b') },
      reference: { kind: 'ImageStreamTag', name: 'dev:latest', address: 'dev:latest' },
      platforms: [{ platform: 'linux/amd64', action: 'update', before: digest('a'), after: digest('b') }],
    });
    expect(changes.get('prod:latest')).toMatchObject({ action: 'update', after: { digest: digest('b') } });
    expect(changes.get('prod:old')).toMatchObject({ action: 'noop', reference: { address: 'dev:latest' } });
    expect(result.changes.map((c) => c.address)).toEqual(['prod:latest', 'prod:old', 'staging:latest', 'dev:latest']);
    expect(result.summary).toMatchObject({ create: 0, update: 3, noop: 1 });
  });

  it('creates followers with the image planned for a new tag, and finds a snapshot’s digest in the plan', () => {
    const result = plan(null, { kind: 'resolved', item: planned('a') });
    expect(result.changes.map((c) => [c.address, c.action, c.after?.digest])).toEqual([
      ['prod:latest', 'create', digest('a')],
      ['prod:old', 'create', digest('a')],
      ['staging:latest', 'create', digest('a')],
      ['dev:latest', 'create', digest('a')],
    ]);
  });

  it('takes the tag a targeted follower follows into --target, as Terraform takes dependencies along', () => {
    const state = stateWith({ dev: { latest: recorded('a') }, staging: { latest: recorded('a') } });
    const result = plan(state, { kind: 'resolved', item: planned('b') }, ['staging']);
    expect(result.changes.map((c) => [c.address, c.action])).toEqual([
      ['staging:latest', 'update'],
      ['dev:latest', 'update'],
    ]);
  });

  it('reports a follower of a tag that could not be resolved, and of an image no stream holds, as errors', () => {
    const result = plan(null, { kind: 'error', reason: 'Unauthorized', message: 'denied' });
    expect(result.errors).toEqual([
      {
        address: 'prod:latest',
        reason: 'Unauthorized',
        message: 'follows staging:latest, which follows dev:latest, which could not be resolved: denied',
      },
      {
        address: 'prod:old',
        reason: 'NotFound',
        message: `follows dev@${digest('a')}: the image stream "dev" holds no image ${digest('a')} (in the state or in this plan)`,
      },
      {
        address: 'staging:latest',
        reason: 'Unauthorized',
        message: 'follows dev:latest, which could not be resolved: denied',
      },
      { address: 'dev:latest', reason: 'Unauthorized', message: 'denied' },
    ]);
  });

  it('applies followers after the tags they follow', () => {
    const result = plan(null, { kind: 'resolved', item: planned('a') });
    const order = inDependencyOrder(result.changes.filter(isFollowingChange)).map((c) => c.address);
    expect(order.indexOf('staging:latest')).toBeLessThan(order.indexOf('prod:latest'));
  });

  it('renders a promotion plainly in text, markdown and JSON', () => {
    const state = stateWith({ dev: { latest: recorded('a') }, staging: { latest: recorded('a') } });
    const result = plan(state, { kind: 'resolved', item: planned('b') }, ['dev', 'staging']);
    const text = renderPlanText(result, { color: false, abbrev: true });
    expect(text).toContain(
      '  ~ staging:latest  sha256:aaaaaaaaaaaa → sha256:bbbbbbbbbbbb  (from dev:latest)\n' +
        '    ~ linux/amd64    sha256:aaaaaaaaaaaa → sha256:bbbbbbbbbbbb\n',
    );
    expect(renderPlanMarkdown(result)).toContain(`| staging:latest (from dev:latest) | linux/amd64 | update |`);
    const json = JSON.parse(renderPlanJson(result));
    expect(json.changes[0]).toMatchObject({
      address: 'staging:latest',
      spec: { from: 'dev:latest', fromKind: 'ImageStreamTag' },
      reference: { kind: 'ImageStreamTag', name: 'dev:latest', address: 'dev:latest' },
    });
    expect(Object.keys(json.changes[1])).not.toContain('reference');
  });
});
