import type { PlannedChange } from '../core/plan-model.js';

/** What an apply did, by address: imported, removed or failed. */
export interface AppliedAddresses {
  imported: readonly string[];
  removed: readonly string[];
  failed: readonly { address: string }[];
}

/**
 * The counts of an apply in the plan's words, as Terraform's `Apply complete!` line mirrors its plan line:
 * `1 imported, 1 re-imported, 0 removed, 0 failed.` — a new tag is imported, an `update` re-imported.
 */
export function applySummary(
  result: AppliedAddresses,
  changes: readonly Pick<PlannedChange, 'address' | 'action'>[],
): string {
  const updates = new Set(changes.filter((c) => c.action === 'update').map((c) => c.address));
  const reimported = result.imported.filter((address) => updates.has(address)).length;
  const imported = result.imported.length - reimported;
  return `${imported} imported, ${reimported} re-imported, ${result.removed.length} removed, ${result.failed.length} failed.`;
}
