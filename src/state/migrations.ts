import { StateError } from '../core/errors.js';
import { STATE_VERSION } from '../core/state-model.js';

/** Turns a state document of version N into one of version N+1 (the caller sets `version`). */
export type StateMigration = (state: Record<string, unknown>) => Record<string, unknown>;

/** Keyed by the version a migration reads. Version 1 is the first format, so nothing to migrate yet. */
export const STATE_MIGRATIONS: ReadonlyMap<number, StateMigration> = new Map();

/**
 * Brings a parsed state document to STATE_VERSION. A newer version is refused: this program would
 * drop what it does not understand when writing the state back.
 */
export function migrateState(
  document: Record<string, unknown>,
  file: string,
  migrations: ReadonlyMap<number, StateMigration> = STATE_MIGRATIONS,
  targetVersion: number = STATE_VERSION,
): Record<string, unknown> {
  let version = document.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new StateError(`state file ${file} is not a valid imagestreams state: "version" must be a whole number`);
  }
  if (version > targetVersion) {
    throw new StateError(
      `state file ${file} was written by a newer version of imagestreams (version ${version}); upgrade imagestreams`,
    );
  }
  let migrated = document;
  while (version < targetVersion) {
    const migrate = migrations.get(version);
    if (!migrate) {
      throw new StateError(
        `state file ${file} has version ${version}, which this version of imagestreams cannot migrate to version ${targetVersion}`,
      );
    }
    version += 1;
    migrated = { ...migrate(migrated), version };
  }
  return migrated;
}
