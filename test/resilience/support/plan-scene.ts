import { join } from 'node:path';
import { expect } from 'vitest';
import type { State } from '../../../src/core/state-model.js';
import { type GeneratedImage, writeImageLayout } from '../../helpers/images.js';
import { type CatalogSpec, Workspace } from '../../helpers/workspace.js';
import { runCliMeasured } from './cli-process.js';
import { expectRefused } from './hostile.js';
import { treeSnapshot } from './no-change.js';
import { type PlanFileDocument, readPlanDocument } from './plan-files.js';
import { tally } from './run-context.js';

export type Plan = PlanFileDocument['plan'];
// biome-ignore lint/suspicious/noExplicitAny: attacks edit changes freely
export type Change = Record<string, any>;

export const MULTI = ['linux/amd64', 'linux/arm64'];

/**
 * A catalog whose saved plan holds every kind of change: `app:fresh` to import (Legacy, from a list),
 * `app:moving` to re-import (PreserveOriginal, scheduled, upstream moved), `app:single` unchanged, and `old:gone`
 * to remove from the state (left out of the catalog).
 */
export class PlanScene {
  readonly work = new Workspace('imagestreams-plans-');
  images: Record<string, GeneratedImage> = {};

  publish(tags: Record<string, string>): void {
    const specs = Object.fromEntries(
      Object.entries(tags).map(([tag, seed]) => [tag, { platforms: tag === 'single' ? ['linux/amd64'] : MULTI, seed }]),
    );
    Object.assign(this.images, writeImageLayout(join(this.work.dir, 'upstream'), { tags: specs }).tags);
  }

  catalog(withGone: boolean): CatalogSpec {
    return {
      streams: {
        app: {
          fresh: { from: 'oci:upstream:fresh' },
          moving: { from: 'oci:upstream:moving', importMode: 'PreserveOriginal', scheduled: true },
          single: { from: 'oci:upstream:single' },
        },
        ...(withGone && { old: { gone: { from: 'oci:upstream:single' } } }),
      },
    };
  }

  /** First apply without `app:fresh`; then the upstream moves, `app:fresh` is added, `old:gone` removed; plan --out. */
  async prepare(planFile = 'plan.json', env: NodeJS.ProcessEnv = {}): Promise<void> {
    this.publish({ fresh: 'fresh', moving: 'moving-v1', single: 'single' });
    const first = this.catalog(true);
    delete first.streams.app!.fresh;
    this.work.writeCatalog(first);
    await this.expectCode(['apply', '--auto-approve'], 0);
    this.publish({ moving: 'moving-v2' });
    this.work.writeCatalog(this.catalog(false));
    await this.expectCode(['plan', '--out', planFile], 0, env);
  }

  async expectCode(args: string[], code: number, env: NodeJS.ProcessEnv = {}) {
    const outcome = await runCliMeasured(args, this.work.dir, { env });
    expect(outcome.code, `${args.join(' ')}\n${outcome.stdout}${outcome.stderr}`).toBe(code);
    return outcome;
  }

  plan(file = 'plan.json'): Plan {
    return readPlanDocument(this.work.file(file)).plan;
  }

  state(): State {
    return this.work.state();
  }
}

export function change(plan: Plan, address: string): Change {
  return (plan.changes as Change[]).find((c) => c.address === address)!;
}

export const MISMATCH =
  /^error: Saved plan does not match what plan derives from the catalog, the state and the plan's observations: /;

/** `apply FILE` exits 1 with a clear message (no internal error) and changes no file; the attack is counted. */
export async function expectApplyRefused(scene: PlanScene, file: string, message: RegExp, env: NodeJS.ProcessEnv = {}) {
  const before = treeSnapshot(scene.work.dir);
  const outcome = await runCliMeasured(['apply', file], scene.work.dir, { env, timeoutMs: 30_000, memoryLimitMb: 600 });
  expectRefused(outcome, message);
  expect(outcome.stdout).toBe('');
  expect(treeSnapshot(scene.work.dir)).toEqual(before);
  tally({ attacks: 1 });
  return outcome;
}
