export { canonicalJson } from './canonical-json.js';
export { type JournalEntry, journalPath } from './journal.js';
export {
  acquireLock,
  forceUnlock,
  formatLockInfo,
  holdsStateLock,
  isStale,
  type Lock,
  type LockOptions,
  lockPath,
  readLock,
  releaseHeldLocksNow,
  staleLockMessage,
} from './lock.js';
export { STATE_MIGRATIONS, type StateMigration } from './migrations.js';
export {
  PLAN_FILE_KIND,
  PLAN_FILE_VERSION,
  type PlanKeyOption,
  type ReadPlanFileOptions,
  readPlanFile,
  type SavedPlanFile,
  writePlanFile,
} from './plan-file.js';
export { planProblems } from './plan-schema.js';
export {
  assertValidState,
  emptyState,
  parseState,
  type ReadStateOptions,
  readState,
  serializeState,
  writeState,
} from './state-file.js';
export { planningState, StateStore } from './state-store.js';
