import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeImageLayout } from '../helpers/images.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused, runOnHostileInput } from './support/hostile.js';
import { readPlanDocument, tamperPlanFile } from './support/plan-files.js';
import {
  type Change,
  change,
  expectApplyRefused,
  MISMATCH,
  MULTI,
  type Plan,
  PlanScene,
} from './support/plan-scene.js';
import { tally } from './support/run-context.js';

describe('a tampered saved plan is refused: apply re-derives every change and applies only an identical plan', () => {
  const scene = new PlanScene();

  beforeAll(async () => {
    await scene.prepare();
    const plan = scene.plan();
    expect((plan.changes as Change[]).map((c) => [c.address, c.action])).toEqual([
      ['app:fresh', 'create'],
      ['app:moving', 'update'],
      ['app:single', 'noop'],
      ['old:gone', 'delete'],
    ]);
  });

  const arm64 = () => scene.images.fresh!.platforms['linux/arm64']!.digest;

  it.each<[string, (plan: Plan) => void, RegExp]>([
    [
      'after.digest edited to another child of the list (the arm64 image, recorded as linux/amd64)',
      (plan) => {
        const fresh = change(plan, 'app:fresh');
        fresh.after.digest = arm64();
        fresh.after.dockerImageReference = `oci:upstream@${arm64()}`;
        fresh.after.manifests[0].digest = arm64();
        fresh.platforms[0].after = arm64();
      },
      /the change of app:fresh differs at after\.digest; run plan again\n$/,
    ],
    [
      "after edited to another tag's image",
      (plan) => {
        change(plan, 'app:fresh').after = {
          ...change(plan, 'app:moving').after,
          sourceDigest: change(plan, 'app:fresh').after.sourceDigest,
        };
      },
      /the change of app:fresh differs at after\.digest; run plan again\n$/,
    ],
    [
      'spec.from changed to another registry',
      (plan) => {
        change(plan, 'app:fresh').spec.from = 'quay.io/evil/image:latest';
      },
      /the change of app:fresh differs at spec\.from; run plan again\n$/,
    ],
    [
      'from and spec.from changed together',
      (plan) => {
        change(plan, 'app:moving').from = 'quay.io/evil/image:latest';
        change(plan, 'app:moving').spec.from = 'quay.io/evil/image:latest';
      },
      /the change of app:moving differs at from; run plan again\n$/,
    ],
    [
      'a delete injected for a tag the catalog keeps',
      (plan) => {
        Object.assign(change(plan, 'app:single'), {
          action: 'delete',
          reason: 'removed_from_catalog',
          spec: null,
          specDiff: null,
          after: null,
        });
        plan.summary.noop -= 1;
        plan.summary.delete += 1;
      },
      /the change of app:single differs at action; run plan again\n$/,
    ],
    [
      'a delete injected for a tag neither in the catalog nor in the state',
      (plan) => {
        plan.changes.push({ ...change(plan, 'old:gone'), address: 'evil:tag', stream: 'evil', tag: 'tag' });
      },
      /change 5 \(evil:tag\) is not one plan makes for this catalog, state and targets; run plan again\n$/,
    ],
    [
      'an import removed',
      (plan) => {
        plan.changes = plan.changes.filter((c: Change) => c.address !== 'app:moving');
      },
      /it lists nothing for app:moving; run plan again\n$/,
    ],
    [
      'the removal of a tag left out of the catalog removed',
      (plan) => {
        plan.changes = plan.changes.filter((c: Change) => c.address !== 'old:gone');
      },
      /it lists nothing for old:gone; run plan again\n$/,
    ],
    [
      'an update turned into a create',
      (plan) => {
        Object.assign(change(plan, 'app:moving'), { action: 'create', reason: 'new_tag', before: null });
      },
      /the change of app:moving differs at action; run plan again\n$/,
    ],
    [
      'the reason of an update changed',
      (plan) => {
        change(plan, 'app:moving').reason = 'spec_changed';
      },
      /the change of app:moving differs at reason; run plan again\n$/,
    ],
    [
      'a noop turned into a re-import of an image the source holds',
      (plan) => {
        Object.assign(change(plan, 'app:single'), {
          action: 'update',
          reason: 'spec_changed',
          after: change(plan, 'app:fresh').after,
        });
      },
      /the change of app:single differs at action; run plan again\n$/,
    ],
    [
      'a platform row edited',
      (plan) => {
        const rows = change(plan, 'app:moving').platforms;
        rows[1].after = rows[0].after;
      },
      /the change of app:moving differs at platforms\[1\]\.after; run plan again\n$/,
    ],
    [
      'the Legacy rule edited',
      (plan) => {
        change(plan, 'app:fresh').selectedBy = 'tag preference';
      },
      /the change of app:fresh differs at selectedBy; run plan again\n$/,
    ],
    [
      'a change listed twice',
      (plan) => {
        plan.changes.push(change(plan, 'app:fresh'));
      },
      /it lists app:fresh twice; run plan again\n$/,
    ],
  ])('%s', async (_name, edit, message) => {
    tamperPlanFile(scene.work.file('plan.json'), scene.work.file('tampered.json'), edit);
    await expectApplyRefused(scene, 'tampered.json', new RegExp(MISMATCH.source + message.source));
  });

  it.each<[string, (plan: Plan) => void, RegExp]>([
    [
      'a null change',
      (plan) => (plan.changes[1] = null),
      /^error: Saved plan malformed\.json is malformed \(see schemas\/plan\.schema\.json\):\n {2}\/changes\/1: must be object\n/,
    ],
    ['a change that is a string', (plan) => (plan.changes[0] = 'app:fresh'), /\n {2}\/changes\/0: must be object\n/],
    [
      'changes that are not a list',
      (plan) => (plan.changes = { 0: {} }),
      /^error: malformed\.json does not hold a plan\n$/,
    ],
    [
      'a digest that is a number',
      (plan) => (change(plan, 'app:fresh').after.digest = 42),
      /\/changes\/0\/after\/digest: must be string/,
    ],
    [
      'a path in place of a digest',
      (plan) => (change(plan, 'app:fresh').after.sourceDigest = 'sha256:../../etc/passwd'),
      /\/changes\/0\/after\/sourceDigest: must match pattern/,
    ],
    [
      'an address that is an object',
      (plan) => (change(plan, 'app:fresh').address = { evil: true }),
      /\/changes\/0\/address: must be string/,
    ],
    [
      'a missing field',
      (plan) => delete change(plan, 'app:moving').spec,
      /\/changes\/1: must have required property 'spec'/,
    ],
    [
      'a field the format does not define',
      (plan) => (change(plan, 'app:fresh').run = 'rm -rf /'),
      /\/changes\/0: has a property the plan format does not define/,
    ],
    ['a serial that is a string', (plan) => (plan.priorState.serial = '1'), /\/priorState\/serial: must be integer/],
    ['a summary count that is negative', (plan) => (plan.summary.create = -1), /\/summary\/create: must be >= 0/],
  ])('malformed: %s', async (_name, edit, message) => {
    tamperPlanFile(scene.work.file('plan.json'), scene.work.file('malformed.json'), edit);
    const anywhere = message.source.startsWith('^') ? message : new RegExp(`^error: [\\s\\S]*${message.source}`);
    await expectApplyRefused(scene, 'malformed.json', anywhere);
  });

  it('malformed: a plan that is null', async () => {
    const document = readPlanDocument(scene.work.file('plan.json'));
    writeFileSync(scene.work.file('null.json'), JSON.stringify({ ...document, plan: null }));
    await expectApplyRefused(scene, 'null.json', /^error: null\.json does not hold a plan\n$/);
  });

  it('an untampered saved plan still applies, importing the planned digest although the tag moved again since', async () => {
    const planned = change(scene.plan(), 'app:moving').after.digest as string;
    scene.publish({ moving: 'moving-v3' });
    const outcome = await scene.expectCode(['apply', 'plan.json'], 0);
    expect(outcome.stdout).toBe('\nApply complete! 1 imported, 1 re-imported, 1 removed, 0 failed.\n');
    const state = scene.state();
    expect(state.streams.app!.tags.moving!.items[0]!.digest).toBe(planned);
    expect(state.streams.app!.tags.moving!.items[0]!.digest).not.toBe(scene.images.moving!.digest);
    expect(state.streams.app!.tags.fresh!.items[0]!.digest).toBe(scene.images.fresh!.platforms['linux/amd64']!.digest);
    expect(state.streams.old).toBeUndefined();
  });

  it('a plan observing an image its source does not hold imports nothing for that tag (NotFound), as if deleted since', async () => {
    const elsewhere = writeImageLayout(join(scene.work.dir, 'elsewhere'), {
      tags: { other: { platforms: MULTI, seed: 'other' } },
    }).tags.other!;
    scene.publish({ moving: 'moving-v4' });
    await scene.expectCode(['plan', '--out', 'next.json'], 0);
    const before = scene.state().streams.app!.tags.moving!.items;
    tamperPlanFile(scene.work.file('next.json'), scene.work.file('forged.json'), (plan) => {
      const moving = change(plan, 'app:moving');
      moving.after = {
        ...moving.after,
        digest: elsewhere.digest,
        sourceDigest: elsewhere.digest,
        dockerImageReference: `oci:upstream@${elsewhere.digest}`,
      };
    });
    const outcome = await runOnHostileInput(['apply', 'forged.json'], scene.work.dir);
    expectRefused(outcome, /✗ app:moving: Import failed \(NotFound\): /);
    const moving = scene.state().streams.app!.tags.moving!;
    expect(moving.items).toEqual(before);
    expect(moving.conditions.map((c) => c.reason)).toEqual(['NotFound']);
    tally({ attacks: 1 });
  });
});

describe('a saved plan whose priorState was edited to fit a state that moved on is refused', () => {
  const scene = new PlanScene();

  it('the state changes after the plan; the plan, made stale, is edited to the new serial', async () => {
    await scene.prepare('stale.json');
    await scene.expectCode(['apply', '--auto-approve'], 0);
    const stale = await runCliMeasured(['apply', 'stale.json'], scene.work.dir);
    expect(stale.stderr).toMatch(
      /^error: Saved plan is stale: the state changed since the plan was made \(serial 1, now 2\)/,
    );
    tamperPlanFile(scene.work.file('stale.json'), scene.work.file('refreshed.json'), (plan) => {
      plan.priorState.serial = scene.state().serial;
    });
    await expectApplyRefused(
      scene,
      'refreshed.json',
      new RegExp(
        `${MISMATCH.source}change 4 \\(old:gone\\) is not one plan makes for this catalog, state and targets; run plan again\\n$`,
      ),
    );
  });
});

describe('a saved plan that changes no tag is still proven: its targets and the listings it reports', () => {
  const scene = new PlanScene();
  const FAILING = `apiVersion: imagestreams/v1
kind: Catalog
streams:
  app:
    tags:
      single: { from: "oci:upstream:single" }
  postgres:
    discover: { from: oci:gone, policy: { semver: '>=15' }, scheduled: true }
`;

  beforeAll(() => scene.publish({ single: 'single' }));

  it('a listing of a stream the catalog does not have, added to a plan --scheduled-only of listings alone', async () => {
    scene.work.writeCatalog(FAILING);
    await scene.expectCode(['plan', '--scheduled-only', '--out', 'listings.json'], 1);
    expect(scene.plan('listings.json').changes).toEqual([]);
    tamperPlanFile(scene.work.file('listings.json'), scene.work.file('ghost.json'), (plan) => {
      const postgres = plan.discoveries[0];
      plan.discoveries.push({ ...postgres, stream: 'ghost\u001b[2J', error: { ...postgres.error, message: 'forged' } });
    });
    await expectApplyRefused(scene, 'ghost.json', new RegExp(`${MISMATCH.source}discoveries differ at \\[1\\]`));
  });

  it('the message of its failed listing, edited to hold terminal escapes and a line of its own: shown as one plain line', async () => {
    scene.work.writeCatalog(FAILING);
    await scene.expectCode(['plan', '--scheduled-only', '--out', 'listings.json'], 1);
    tamperPlanFile(scene.work.file('listings.json'), scene.work.file('escapes.json'), (plan) => {
      plan.discoveries[0].error.message =
        'gone\u001b]0;owned\u0007\u001b[2J\n  ✗ app:single: Import failed (NotFound): forged';
    });
    const outcome = await runOnHostileInput(['apply', 'escapes.json'], scene.work.dir);
    expectRefused(outcome, /✗ postgres: Import failed \(NotFound\): gone\]0;owned\[2J {3}✗ app:single: [^\n]*forged\n/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not be shown
    expect(outcome.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(outcome.stdout.match(/^ {2}✗/gm)).toHaveLength(1);
    tally({ attacks: 1 });
  });

  it('a failed listing of a stream outside its targets whose tags are pinned, which no plan lists, added to a --target plan', async () => {
    scene.work.writeCatalog(FAILING);
    await scene.expectCode(['plan', '--scheduled-only', '--out', 'listings.json'], 1);
    const [failed] = scene.plan('listings.json').discoveries;
    scene.work.writeCatalog(FAILING.replace('scheduled: true', 'scheduled: false'));
    await scene.expectCode(['plan', '--target', 'app:single', '--out', 'targeted.json'], 0);
    tamperPlanFile(scene.work.file('targeted.json'), scene.work.file('unlisted.json'), (plan) => {
      plan.discoveries = [failed];
    });
    await expectApplyRefused(scene, 'unlisted.json', new RegExp(`${MISMATCH.source}discoveries differ at \\[0\\]`));
  });

  it('targets naming nothing of the catalog or the state, added to a plan --scheduled-only of no scheduled tag', async () => {
    scene.work.writeCatalog(FAILING.replace('scheduled: true', 'scheduled: false'));
    await scene.expectCode(['plan', '--scheduled-only', '--out', 'nothing.json'], 0);
    tamperPlanFile(scene.work.file('nothing.json'), scene.work.file('targeted.json'), (plan) => {
      plan.targets = ['\u001b]0;owned\u0007app'];
    });
    await expectApplyRefused(
      scene,
      'targeted.json',
      new RegExp(`${MISMATCH.source}its targets name a stream or tag that is neither in the catalog nor in the state`),
    );
  });
});
