import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan-model.js';
import { MARKDOWN_LIMIT, PLAN_MARKER, renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { digest } from '../fixtures/plans/factories.js';
import { largePlan, SCENARIOS } from '../fixtures/plans/scenarios.js';

const lines = (markdown: string) => markdown.split('\n');
const tableRows = (markdown: string) =>
  lines(markdown).filter((line) => line.startsWith('| ') && !line.startsWith('| tag |') && !line.startsWith('| --- |'));

/** The text plan in the `<details>` block. */
function fullPlan(markdown: string): string {
  return markdown.slice(markdown.indexOf('```text\n') + 8, markdown.lastIndexOf('\n```\n\n</details>'));
}

describe('renderPlanMarkdown', () => {
  it.each(['design-example', 'mixed', 'no-changes', 'drift', 'empty'])('renders the %s plan', async (name) => {
    await expect(renderPlanMarkdown(SCENARIOS[name]!)).toMatchFileSnapshot(`./__snapshots__/plan-markdown-${name}.md`);
  });

  it('starts with the hidden marker and the summary line', () => {
    expect(lines(renderPlanMarkdown(SCENARIOS.mixed!)).slice(0, 2)).toEqual([
      PLAN_MARKER,
      '**imagestreams plan:** 1 to import, 2 to re-import, 2 to remove, 3 unchanged; 1 pinned tag has upstream drift; 2 tags could not be resolved',
    ]);
    expect(lines(renderPlanMarkdown(SCENARIOS['no-changes']!)).slice(0, 2)).toEqual([
      '<!-- imagestreams-plan -->',
      '**imagestreams plan:** no changes, 2 tags up to date',
    ]);
  });

  it('labels the summary line with the title', () => {
    expect(lines(renderPlanMarkdown(SCENARIOS.drift!, { title: 'prod_catalog plan' }))[1]).toBe(
      '**prod\\_catalog plan:** no changes, 2 tags up to date; 2 pinned tags have upstream drift',
    );
  });

  it.each<[string, Plan, string | undefined]>([
    [
      'names the tags that will be removed',
      SCENARIOS.delete!,
      '> ⚠ **2 tags will be removed from the state:** app:old, ubi8:latest',
    ],
    [
      'says so in the singular',
      { ...SCENARIOS.delete!, changes: SCENARIOS.delete!.changes.slice(0, 2) },
      '> ⚠ **1 tag will be removed from the state:** app:old',
    ],
    [
      'names 20 removed tags and counts the rest',
      largePlan(1, 23),
      expect.stringMatching(/removed from the state:\*\* retired:tag-0, .*, and 3 more$/),
    ],
    ['warns of nothing when no tag is removed', SCENARIOS['upstream-moved']!, undefined],
  ])('%s', (_name, plan, warning) => {
    expect(lines(renderPlanMarkdown(plan)).find((line) => line.startsWith('> ⚠'))).toEqual(warning);
  });

  it('tabulates every platform of the changed tags with full digests', () => {
    expect(tableRows(renderPlanMarkdown(SCENARIOS['upstream-moved']!))).toEqual([
      `| busybox:stable | index | update | \`${digest('b0b1')}\` | \`${digest('b1b1')}\` |`,
      `| busybox:stable | linux/amd64 | update | \`${digest('b0a3d64')}\` | \`${digest('b1a3d64')}\` |`,
      `| busybox:stable | linux/ppc64le | unchanged | \`${digest('b0c64')}\` | \`${digest('b0c64')}\` |`,
      `| busybox:stable | linux/riscv64 | create |  | \`${digest('b1f5c')}\` |`,
      `| busybox:stable | linux/arm/v7 | delete | \`${digest('b0a7')}\` |  |`,
      `| alpine:3 | linux/amd64 | create |  | \`${digest('a2a3d64')}\` |`,
      `| alpine:3 | linux/ppc64le | delete | \`${digest('a1c64')}\` |  |`,
    ]);
  });

  it('escapes pipes and backticks in table cells and markup in messages', () => {
    const base = SCENARIOS.errors!;
    const plan: Plan = {
      ...base,
      changes: base.changes.map((change) => ({ ...change, address: 'odd|stream:`tag`' })),
      errors: [
        { address: 'a:b', reason: 'InvalidManifest', message: 'bad <script> in *manifest* | see `docs`\nnext line' },
      ],
    };
    const markdown = renderPlanMarkdown(plan);
    expect(tableRows(markdown)).toEqual([
      `| odd\\|stream:\\\`tag\\\` | linux/amd64 | create |  | \`${digest('10a1')}\` |`,
    ]);
    expect(markdown).toContain(
      '- ✗ `a:b` (InvalidManifest): bad \\<script\\> in \\*manifest\\* \\| see \\`docs\\` next line\n',
    );
  });

  it('lists drift and errors with full digests', () => {
    const markdown = renderPlanMarkdown(SCENARIOS.mixed!);
    expect(markdown).toContain(
      `- \`app:pinned\` from \`quay.io/org/app:1\`: \`${digest('a991')}\` → \`${digest('a992')}\`\n`,
    );
    expect(markdown).toContain('- ✗ `gone:tag` (NotFound): quay.io/org/gone:1: manifest unknown\n');
  });

  it.each(Object.entries(SCENARIOS))(
    'holds the whole %s text plan, uncoloured and abbreviated, in <details>',
    (_name, plan) => {
      const markdown = renderPlanMarkdown(plan);
      expect(markdown).toContain('<details><summary>Full plan</summary>\n\n```text\n');
      expect(markdown.endsWith('\n```\n\n</details>\n')).toBe(true);
      expect(`${fullPlan(markdown)}\n`).toBe(renderPlanText(plan, { color: false, abbrev: true }));
    },
  );

  it('fences the text plan with more backticks than it holds', () => {
    const plan: Plan = {
      ...SCENARIOS.errors!,
      errors: [{ address: 'a:b', reason: 'InternalError', message: 'got ```json' }],
    };
    const markdown = renderPlanMarkdown(plan);
    expect(markdown).toContain('<details><summary>Full plan</summary>\n\n````text\n');
    expect(markdown.endsWith('\n````\n\n</details>\n')).toBe(true);
  });

  it('cuts nothing from a plan that fits', () => {
    expect(renderPlanMarkdown(largePlan(40, 5))).not.toContain('omitted');
  });

  describe('for a plan of 5,000 tags', () => {
    const plan = largePlan(5000, 30);
    const markdown = renderPlanMarkdown(plan);
    const fullText = renderPlanText(plan, { color: false, abbrev: true }).trimEnd().split('\n');
    const allRows = 5000 * 5 + 30;

    it(`stays within ${MARKDOWN_LIMIT} characters`, () => {
      expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
      expect(markdown.length).toBeGreaterThan(MARKDOWN_LIMIT - 1000);
    });

    it('keeps the marker, summary, warning and closing tags', () => {
      expect(lines(markdown).slice(0, 4)).toEqual([
        PLAN_MARKER,
        '**imagestreams plan:** 5000 to import, 0 to re-import, 30 to remove, 0 unchanged',
        '',
        expect.stringMatching(/^> ⚠ \*\*30 tags will be removed from the state:\*\* retired:tag-0, /),
      ]);
      expect(markdown.endsWith('\n```\n\n</details>\n')).toBe(true);
    });

    it('cuts the table in the middle and says how many rows it left out', () => {
      const rows = tableRows(markdown);
      const omission = rows.find((row) => row.includes('omitted'))!;
      const omitted = Number(
        /… (\d+) rows omitted: the full plan is in the CI log \/ run imagestreams plan locally/.exec(omission)![1],
      );
      expect(rows.length - 1 + omitted).toBe(allRows);
      expect(rows[0]).toMatch(/^\| stream0:tag-0 \| index \| create \|/);
      expect(rows.at(-1)).toMatch(/^\| retired:tag-9 \| linux\/amd64 \| delete \|/);
    });

    it('cuts the text plan in the middle and says how many lines it left out', () => {
      const kept = fullPlan(markdown).split('\n');
      const omission = kept.find((line) => line.includes('omitted'))!;
      const omitted = Number(
        /^… (\d+) lines omitted: the full plan is in the CI log \/ run imagestreams plan locally$/.exec(omission)![1],
      );
      expect(kept.length - 1 + omitted).toBe(fullText.length);
      expect(kept[0]).toBe(fullText[0]);
      expect(kept.at(-1)).toBe('Plan: 5000 to import, 0 to re-import, 30 to remove. 0 unchanged.');
    });
  });
});
