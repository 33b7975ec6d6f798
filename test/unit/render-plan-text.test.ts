import { describe, expect, it } from 'vitest';
import type { PlannedChange, PlanSummary } from '../../src/core/plan-model.js';
import type { LegacyRule } from '../../src/core/state-model.js';
import { describeChange, renderPlanText } from '../../src/render/plan-text.js';
import { digest, imageItem, indexItem, manifest, planOf, resolved, spec } from '../fixtures/plans/factories.js';
import { SCENARIOS } from '../fixtures/plans/scenarios.js';

const plain = { color: false, abbrev: true };
const ESC = String.fromCharCode(27);
const SGR = new RegExp(`${ESC}\\[\\d+m`, 'g');
const scenarios = Object.entries(SCENARIOS);

describe('renderPlanText', () => {
  it('renders the DESIGN §6 example as shown there', () => {
    // DESIGN elides demo:1.0's digest (`sha256:…`) and leaves out the drift section its summary line counts.
    expect(renderPlanText(SCENARIOS['design-example']!, plain)).toBe(
      [
        '  ~ ubi9:latest  registry.access.redhat.com/ubi9/ubi:latest  (PreserveOriginal, scheduled: upstream moved)',
        '      index          sha256:5ddb0890ab8f → sha256:77aa01b2c3d4',
        '    ~ linux/amd64    sha256:59eb66ddccef → sha256:1f2e3d4c5b6a',
        '    ~ linux/arm64    sha256:d8d8591706c4 → sha256:9a8b7c6d5e4f',
        '      linux/ppc64le  sha256:c03f611cd366 (unchanged)',
        '    + linux/s390x    sha256:6e325b86566f',
        '  + demo:1.0  oci:examples/images/demo:1.0  (Legacy: linux/amd64 by default platform)',
        '    + linux/amd64    sha256:de30a3d64000',
        '',
        'Drift (pinned tags whose upstream moved; run with --reimport ADDRESS to import):',
        '  ! app:pinned  quay.io/org/app:1  current sha256:a991a991a991 → upstream sha256:a992a992a992',
        '    ~ linux/amd64    sha256:a991a991a991 → sha256:a992a992a992',
        '',
        'Plan: 1 to import, 1 to re-import, 0 to remove. 3 unchanged. 1 pinned tag has upstream drift.',
        '',
      ].join('\n'),
    );
  });

  it.each(scenarios)('renders the %s plan', async (name, plan) => {
    await expect(renderPlanText(plan, plain)).toMatchFileSnapshot(`./__snapshots__/plan-text-${name}.txt`);
  });

  it('renders full digests without abbreviation', async () => {
    const out = renderPlanText(SCENARIOS['upstream-moved']!, { color: false, abbrev: false });
    await expect(out).toMatchFileSnapshot('./__snapshots__/plan-text-upstream-moved.no-abbrev.txt');
    expect(out).toContain(`~ linux/amd64    ${digest('b0a3d64')} → ${digest('b1a3d64')}`);
    expect(out.match(/sha256:[a-f0-9]+/g)?.every((d) => d.length === 'sha256:'.length + 64)).toBe(true);
  });

  it('colours create green, update yellow, delete red, unchanged dim and drift magenta', async () => {
    const out = renderPlanText(SCENARIOS.mixed!, { color: true, abbrev: true });
    await expect(out).toMatchFileSnapshot('./__snapshots__/plan-text-mixed.color.txt');
    expect(out).toContain('  \u001b[33m~\u001b[39m ubi9:latest  ');
    expect(out).toContain('  \u001b[32m+\u001b[39m demo:1.0  ');
    expect(out).toContain('  \u001b[31m-\u001b[39m app:old  ');
    expect(out).toContain('    \u001b[2m  linux/ppc64le  sha256:c03f611cd366 (unchanged)\u001b[22m');
    expect(out).toContain('  \u001b[35m!\u001b[39m app:pinned  ');
    expect(out).toContain(
      '      \u001b[31m- preferPlatform: null\u001b[39m\n      \u001b[32m+ preferPlatform: linux/arm64\u001b[39m',
    );
  });

  it.each(scenarios)('writes the same text with and without colour for the %s plan', (_name, plan) => {
    const colored = renderPlanText(plan, { color: true, abbrev: true });
    const uncolored = renderPlanText(plan, plain);
    expect(uncolored).not.toContain(ESC);
    expect(colored.replace(SGR, '')).toBe(uncolored);
  });

  it.each(scenarios)('lines up the digests of each tag in the %s plan', (_name, plan) => {
    for (const block of renderPlanText(plan, plain).split(/\n(?= {2}\S)/)) {
      const columns = block
        .split('\n')
        .filter((line) => /^ {4}[ +~-] \S+ +sha256:/.test(line))
        .map((line) => line.indexOf('sha256:'));
      expect(new Set(columns).size).toBeLessThanOrEqual(1);
    }
  });

  it('widens the platform column of a tag for a long platform, and only that tag', () => {
    const windows = 'mcr.microsoft.com/windows/nanoserver:ltsc2022';
    const plan = planOf([
      {
        address: 'windows:nano',
        catalog: spec(windows, { importMode: 'PreserveOriginal' }),
        observed: resolved(
          indexItem(windows, 'e1', [manifest('windows/amd64:10.0.20348.2655', 'e2'), manifest('linux/amd64', 'e3')]),
        ),
      },
      {
        address: 'tools:jq',
        catalog: spec('ghcr.io/jqlang/jq:1.7.1'),
        observed: resolved(imageItem('jq', manifest('linux/amd64', 'e4'))),
      },
    ]);
    expect(renderPlanText(plan, plain).split('\n').slice(0, 6)).toEqual([
      '  + windows:nano  mcr.microsoft.com/windows/nanoserver:ltsc2022  (PreserveOriginal)',
      '      index                          sha256:e1e1e1e1e1e1',
      '    + windows/amd64:10.0.20348.2655  sha256:e2e2e2e2e2e2',
      '    + linux/amd64                    sha256:e3e3e3e3e3e3',
      '  + tools:jq  ghcr.io/jqlang/jq:1.7.1  (Legacy)',
      '    + linux/amd64    sha256:e4e4e4e4e4e4',
    ]);
  });

  it('lists no unchanged tag and no attestation manifest', () => {
    expect(renderPlanText(SCENARIOS['design-example']!, plain)).not.toMatch(/ubi9:9\.4|tools:jq|unknown\/unknown/);
    expect(renderPlanText(SCENARIOS.create!, plain)).not.toContain('unknown/unknown');
  });

  it('shows only the changed keys of a spec diff', () => {
    expect(renderPlanText(SCENARIOS['spec-changed']!, plain)).toContain(
      [
        '  ~ ubi9:9  registry.access.redhat.com/ubi9/ubi:9.4  (PreserveOriginal, scheduled: spec changed)',
        '      - from: registry.access.redhat.com/ubi9/ubi:9.3',
        '      + from: registry.access.redhat.com/ubi9/ubi:9.4',
        '      - referencePolicy: Source',
        '      + referencePolicy: Local',
        '      index          sha256:93a115793a11 → sha256:94a115794a11',
      ].join('\n'),
    );
  });

  it('names each tag that could not be resolved', () => {
    expect(renderPlanText(SCENARIOS.errors!, plain)).toContain(
      [
        'Errors (tags that could not be resolved; their state is left as it is):',
        '  ✗ private:app: registry.example.com/team/app:2: authentication required (no credentials for registry.example.com)',
        '  ✗ gone:tag: quay.io/org/gone:1: manifest unknown',
      ].join('\n'),
    );
  });
});

describe('the summary line', () => {
  const zero: PlanSummary = { create: 0, update: 0, delete: 0, noop: 0, drift: 0, error: 0 };
  it.each([
    [
      'Plan: 1 to import, 1 to re-import, 0 to remove. 3 unchanged. 1 pinned tag has upstream drift.',
      { create: 1, update: 1, noop: 3, drift: 1 },
    ],
    [
      'Plan: 0 to import, 0 to re-import, 2 to remove. 0 unchanged. 2 pinned tags have upstream drift.',
      { delete: 2, drift: 2 },
    ],
    [
      'Plan: 0 to import, 4 to re-import, 0 to remove. 1 unchanged. 1 tag could not be resolved.',
      { update: 4, noop: 1, error: 1 },
    ],
    [
      'Plan: 1 to import, 0 to re-import, 0 to remove. 0 unchanged. 3 tags could not be resolved.',
      { create: 1, error: 3 },
    ],
    ['No changes. 5 tags up to date.', { noop: 5 }],
    ['No changes. 1 tag up to date.', { noop: 1 }],
    ['No changes. 0 tags up to date.', {}],
    [
      'No changes. 2 tags up to date. 1 pinned tag has upstream drift. 2 tags could not be resolved.',
      { noop: 2, drift: 1, error: 2 },
    ],
  ])('reads %j', (line, counts: Partial<PlanSummary>) => {
    const plan = { ...SCENARIOS.empty!, summary: { ...zero, ...counts } };
    expect(renderPlanText(plan, plain).trimEnd().split('\n').at(-1)).toBe(line);
  });
});

describe('describeChange', () => {
  const base = SCENARIOS.create!.changes[1]!;
  const legacy = (rule: LegacyRule, platform: string): Partial<PlannedChange> => ({
    importMode: 'Legacy',
    selectedBy: rule,
    after: { ...base.after!, selectedBy: rule, manifests: [manifest(platform, 'f1')] },
  });
  const single = { importMode: 'Legacy', selectedBy: 'single manifest' } as const;
  const list = { importMode: 'PreserveOriginal', selectedBy: null } as const;

  it.each<[string, string, Partial<PlannedChange>]>([
    ['a new pinned tag', 'Legacy', { ...single, action: 'create', reason: 'new_tag', scheduled: false }],
    [
      'a new scheduled tag',
      'PreserveOriginal, scheduled',
      { ...list, action: 'create', reason: 'new_tag', scheduled: true },
    ],
    [
      'the tag preference',
      'Legacy: linux/arm64 by tag preference',
      { ...legacy('tag preference', 'linux/arm64'), action: 'create', reason: 'new_tag', scheduled: false },
    ],
    [
      'the catalog default',
      'Legacy: linux/ppc64le by default platform',
      { ...legacy('default platform', 'linux/ppc64le'), action: 'create', reason: 'new_tag', scheduled: false },
    ],
    [
      'the linux/amd64 fallback',
      'Legacy: linux/amd64 by linux/amd64 fallback',
      { ...legacy('linux/amd64', 'linux/amd64'), action: 'create', reason: 'new_tag', scheduled: false },
    ],
    [
      'the first child',
      'Legacy: linux/s390x as first child, scheduled',
      { ...legacy('first child', 'linux/s390x'), action: 'create', reason: 'new_tag', scheduled: true },
    ],
    [
      'an upstream move',
      'PreserveOriginal, scheduled: upstream moved',
      { ...list, action: 'update', reason: 'upstream_moved', scheduled: true },
    ],
    [
      'a spec change of a pinned tag',
      'Legacy, pinned: spec changed',
      { ...single, action: 'update', reason: 'spec_changed', scheduled: false },
    ],
    [
      'a spec change of a scheduled tag',
      'PreserveOriginal, scheduled: spec changed',
      { ...list, action: 'update', reason: 'spec_changed', scheduled: true },
    ],
    [
      'a requested re-import',
      'Legacy: linux/arm64 by tag preference, pinned: re-import requested',
      { ...legacy('tag preference', 'linux/arm64'), action: 'update', reason: 'reimport_requested', scheduled: false },
    ],
    [
      'a removal',
      'PreserveOriginal, removed from catalog',
      { ...list, action: 'delete', reason: 'removed_from_catalog', scheduled: true, after: null },
    ],
  ])('words %s as %j', (_name, expected, overrides) => {
    expect(describeChange({ ...base, ...overrides })).toBe(expected);
  });
});
