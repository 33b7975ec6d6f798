import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliMeasured } from './support/cli-process.js';
import { readPlanDocument, tamperPlanFile } from './support/plan-files.js';
import { change, expectApplyRefused, PlanScene } from './support/plan-scene.js';
import { tally } from './support/run-context.js';
import { CANARY } from './support/secrets.js';

/** The key the CI jobs share: a canary, so that it showing up in any output or file fails the run. */
const KEY = CANARY.password;
const WITH_KEY = { IMAGESTREAMS_PLAN_KEY: KEY };

describe('with IMAGESTREAMS_PLAN_KEY set, apply takes only plans signed with that key', () => {
  const scene = new PlanScene();

  beforeAll(async () => {
    await scene.prepare('signed.json', WITH_KEY);
    await scene.expectCode(['plan', '--out', 'unsigned.json'], 0);
    await scene.expectCode(['plan', '--out', 'other-key.json'], 0, { IMAGESTREAMS_PLAN_KEY: 'another-key-7f3' });
  });

  it('plan --out signs the plan, and the file never holds the key', () => {
    expect(readPlanDocument(scene.work.file('signed.json')).signature).toMatch(/^hmac-sha256:[a-f0-9]{64}$/);
    expect(readPlanDocument(scene.work.file('unsigned.json')).signature).toBeUndefined();
    expect(readFileSync(scene.work.file('signed.json'), 'utf8')).not.toContain(KEY);
  });

  it('an unsigned plan is refused', async () => {
    await expectApplyRefused(
      scene,
      'unsigned.json',
      /^error: plan file unsigned\.json is not signed, and IMAGESTREAMS_PLAN_KEY is set: make the plan with plan --out and the same key\n$/,
      WITH_KEY,
    );
  });

  it('a signed plan edited after signing is refused: signature does not match', async () => {
    tamperPlanFile(scene.work.file('signed.json'), scene.work.file('edited.json'), (plan) => {
      change(plan, 'app:fresh').spec.from = 'quay.io/evil/image:latest';
    });
    await expectApplyRefused(
      scene,
      'edited.json',
      /^error: plan file edited\.json: signature does not match: the file was changed after it was signed, or signed with another IMAGESTREAMS_PLAN_KEY\n$/,
      WITH_KEY,
    );
  });

  it('a plan signed with another key is refused', async () => {
    await expectApplyRefused(
      scene,
      'other-key.json',
      /^error: plan file other-key\.json: signature does not match: /,
      WITH_KEY,
    );
  });

  it('an empty key is refused, never taken as no key', async () => {
    const empty = { IMAGESTREAMS_PLAN_KEY: '' };
    await expectApplyRefused(
      scene,
      'unsigned.json',
      /^error: IMAGESTREAMS_PLAN_KEY is set but empty: set it to the key plans are signed with, or unset it\n$/,
      empty,
    );
    const plan = await runCliMeasured(['plan', '--out', 'empty-key.json'], scene.work.dir, { env: empty });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/^error: IMAGESTREAMS_PLAN_KEY is set but empty: /);
  });

  it('a plan signed with the key applies, and no output shows the key', async () => {
    const outcome = await scene.expectCode(['apply', 'signed.json'], 0, WITH_KEY);
    expect(outcome.stdout).toBe('\nApply complete! 1 imported, 1 re-imported, 1 removed, 0 failed.\n');
    expect(`${outcome.stdout}${outcome.stderr}`).not.toContain(KEY);
    tally({ attacks: 1 });
  });
});

describe('without a key, a signed plan still applies, saying its signature was not checked', () => {
  const scene = new PlanScene();

  it('notes it on stderr', async () => {
    await scene.prepare('signed.json', WITH_KEY);
    const outcome = await scene.expectCode(['apply', 'signed.json'], 0);
    expect(outcome.stderr).toMatch(
      /^note: plan file signed\.json is signed; set IMAGESTREAMS_PLAN_KEY to have its signature checked\n/,
    );
  });
});
