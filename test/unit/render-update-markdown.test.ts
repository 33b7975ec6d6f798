import { describe, expect, it } from 'vitest';
import type { TagMove } from '../../src/core/update-model.js';
import { renderUpdateBody } from '../../src/render/update-markdown.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const move: TagMove = {
  address: 'postgres:16',
  stream: 'postgres',
  tag: '16',
  before: `postgres:16.2@${D1}`,
  after: `postgres:16.4@${D2}`,
  policy: 'minor',
  version: { from: '16.2', to: '16.4' },
  digest: { from: D1, to: D2 },
  platforms: [
    { platform: 'linux/amd64', before: D1, after: D2 },
    { platform: 'linux/s390x', after: D2 },
    { platform: 'linux/arm64', before: D2, after: D2 },
  ],
};

describe('the pull-request body of update', () => {
  it('tables what moves and, per tag, each platform before and after', () => {
    expect(renderUpdateBody({ catalog: 'imagestreams.yaml', moves: [move], leftAlone: [] })).toBe(
      [
        '<!-- imagestreams-update -->',
        '## Image updates',
        '',
        '`imagestreams update` moves 1 pinned tag of `imagestreams.yaml` to what upstream offers now.',
        '',
        '| Tag | From | To | Update |',
        '| --- | --- | --- | --- |',
        `| \`postgres:16\` | \`postgres:16.2@${D1}\` | \`postgres:16.4@${D2}\` | minor (16.2 → 16.4), digest |`,
        '',
        '### postgres:16',
        '',
        '| Platform | Before | After |',
        '| --- | --- | --- |',
        `| \`linux/amd64\` | \`${D1}\` | \`${D2}\` |`,
        `| \`linux/s390x\` | — | \`${D2}\` |`,
        `| \`linux/arm64\` | \`${D2}\` | unchanged |`,
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing moves, and lists the tags left alone with the reason', () => {
    const body = renderUpdateBody({
      catalog: 'imagestreams.yaml',
      moves: [],
      leftAlone: [{ address: 'app:edge', from: 'quay.io/org/app:edge', reason: 'scheduled' }],
    });
    expect(body).toContain('No pinned tag of `imagestreams.yaml` has a newer version or digest upstream.\n');
    expect(body).toContain('<details><summary>1 tag left alone</summary>');
    expect(body).toContain('- `app:edge` (`quay.io/org/app:edge`): scheduled: it follows its upstream already\n');
    expect(body).not.toContain('| Tag |');
  });

  it('leaves the per-platform tables out, saying so, when the body would pass 60,000 characters', () => {
    const moves = Array.from({ length: 150 }, (_, i) => ({ ...move, address: `s${i}:16`, stream: `s${i}` }));
    const body = renderUpdateBody({ catalog: 'imagestreams.yaml', moves, leftAlone: [] });
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body).toContain('| `s149:16` |');
    expect(body).not.toContain('### s0:16');
    expect(body).toContain('_The per-platform digests are left out: the body would be too long._');
  });

  it('keeps markup in names from breaking the table', () => {
    const body = renderUpdateBody({
      catalog: 'a|b.yaml',
      moves: [{ ...move, address: 'x:`y`' }],
      leftAlone: [],
    });
    expect(body).toContain('`` x:`y` ``');
    expect(body).toContain('`a\\|b.yaml`');
  });
});
