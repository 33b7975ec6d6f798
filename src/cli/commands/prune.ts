import { parseDuration } from '../../config/index.js';
import { shortDigest } from '../../core/digest.js';
import { type PrunePlan, type PruneTotals, pruneOperation, type StreamPrune } from '../../operations/prune.js';
import { formatBytes } from '../../render/plan-text.js';
import { loadCatalogOf, repositoryOptionsOf } from '../context.js';
import { EXIT_OK } from '../exit.js';
import { interruptible } from '../interrupt.js';
import { type Io, writeJson } from '../output.js';

export interface PruneOptions {
  file?: string;
  state?: string;
  authfile?: string;
  keepTagRevisions: number;
  keepYoungerThan: string;
  confirm?: boolean;
  json?: boolean;
  lockTimeout: number;
  abbrev?: boolean;
}

/**
 * `prune`: trims each tag's history and deletes from the local store what no remaining item references. Without
 * `--confirm` it only shows what it would delete.
 */
/** Stopped by SIGINT or SIGTERM as `interruptible` says: the state lock is not left behind. */
export function pruneCommand(options: PruneOptions, io: Io): Promise<number> {
  return interruptible(io, "run 'imagestreams prune' again", () => pruneLocked(options, io));
}

async function pruneLocked(options: PruneOptions, io: Io): Promise<number> {
  const policy = {
    keepTagRevisions: options.keepTagRevisions,
    keepYoungerThanMs: parseDuration(options.keepYoungerThan, 'zero'),
    now: new Date(),
  };
  const catalog = await loadCatalogOf(options, io);
  const plan = await pruneOperation(catalog, {
    ...repositoryOptionsOf(options, io),
    policy,
    confirm: Boolean(options.confirm),
    lockTimeoutMs: options.lockTimeout,
  });
  if (options.json) writeJson(io.stdout, { confirmed: Boolean(options.confirm), ...jsonPlan(plan) });
  else io.stdout.write(renderPrune(plan, options));
  return EXIT_OK;
}

function jsonPlan(plan: PrunePlan): object {
  return {
    history: plan.history.map((t) => ({
      address: t.address,
      kept: t.kept.length,
      removed: t.removed.map(({ digest, created, dockerImageReference }) => ({
        digest,
        created,
        dockerImageReference,
      })),
    })),
    store: plan.store,
    totals: plan.totals,
  };
}

function renderPrune(plan: PrunePlan, options: PruneOptions): string {
  const digest = (d: string) => (options.abbrev === false ? d : shortDigest(d));
  const lines: string[] = [];
  if (plan.history.length > 0) {
    lines.push(
      `Tag history (keeping ${options.keepTagRevisions} revisions per tag and items younger than ${options.keepYoungerThan}):`,
    );
    for (const tag of plan.history)
      for (const item of tag.removed) lines.push(`  - ${tag.address}  ${digest(item.digest)}  ${item.created}`);
    lines.push('');
  }
  const streams = plan.store?.streams ?? [];
  if (plan.store && streams.length > 0) {
    lines.push(`Local store (${plan.store.description}):`);
    for (const stream of streams) lines.push(...streamLines(stream, digest));
    lines.push('');
  }
  lines.push(summary(plan.totals, plan.store?.kind, Boolean(options.confirm)));
  return `${lines.join('\n')}\n`;
}

function streamLines(stream: StreamPrune, digest: (d: string) => string): string[] {
  return [
    ...stream.tags.map((tag) => `  - ${stream.repository}:${tag}  (no such tag in the state)`),
    ...stream.sourceTags.map((tag) => `  - ${stream.repository}:${tag}  (the tag is no longer Local)`),
    ...stream.manifests.map(
      (m) => `  - ${stream.repository}@${digest(m.digest)}  ${m.kind === 'index' ? 'list' : 'image'}`,
    ),
    ...(stream.blobs.length > 0 ? [`  - ${stream.repository}: ${count(stream.blobs.length, 'blob')}`] : []),
    ...(stream.temporaryFiles.length > 0
      ? [`  - ${stream.repository}: ${count(stream.temporaryFiles.length, 'file')} left by interrupted copies`]
      : []),
  ];
}

function summary(totals: PruneTotals, kind: 'registry' | 'layout' | undefined, confirmed: boolean): string {
  const items = `${count(totals.items, 'item')} of ${count(totals.tags, 'tag')}`;
  const deleted = [count(totals.manifests, 'manifest'), ...(kind === 'layout' ? [count(totals.blobs, 'blob')] : [])];
  const freed =
    kind === 'registry'
      ? `up to ${formatBytes(totals.bytes)} for the registry's garbage collection`
      : formatBytes(totals.bytes);
  const store = kind ? `; ${confirmed ? 'deleted' : 'would delete'} ${deleted.join(' and ')} (${freed})` : '';
  if (confirmed) return `Pruned ${items}${store}.`;
  return `Would prune ${items}${store}. Nothing was changed: run with --confirm to prune.`;
}

function count(n: number, singular: string): string {
  return `${n} ${n === 1 ? singular : `${singular}s`}`;
}
