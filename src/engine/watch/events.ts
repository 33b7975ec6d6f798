import type { CatalogTag } from '../../core/catalog.js';
import type { ImportReason, LockInfo } from '../../core/errors.js';
import type { ChangeReason, PlannedDiscovery } from '../../core/plan-model.js';

/**
 * Why a check failed: a registry's reason, the state could not be read or written, or what a listing found does
 * not fit the catalog (a discovered tag the stream also writes out).
 */
export type WatchFailureReason = ImportReason | 'StateError' | 'CatalogError';

/** What checking one scheduled tag came to. */
export type TagOutcome =
  /** The upstream has not moved (a failure condition left by an earlier attempt is cleared). */
  | { kind: 'unchanged'; digest: string | null }
  /** `followers`: the tags following it that moved with it. */
  | {
      kind: 'imported';
      action: 'create' | 'update';
      reason: ChangeReason;
      digest: string;
      previous: string | null;
      followers: string[];
    }
  /** `retryAfterMs`: how long the registry asked to wait (Retry-After) when it rate-limited the check. */
  | { kind: 'failed'; reason: WatchFailureReason; message: string; retryAfterMs?: number }
  /** Stopped before it finished: nothing of it was written after the stop. */
  | { kind: 'abandoned' };

/**
 * A discovery's repository listed: what it found (`removed`: tags that left the window, forgotten from the state),
 * the stream's discovered tags now and those of them that must be imported at once (new, or their spec changed).
 */
export interface ListedOutcome {
  kind: 'listed';
  found: PlannedDiscovery;
  tags: CatalogTag[];
  due: string[];
}

/** What a check of a tag, or a listing of a discovery's repository, came to. */
export type CheckOutcome = TagOutcome | ListedOutcome;

interface TagEventBase {
  address: string;
  /** Consecutive failures of the tag, this one included for `failed`. */
  failures: number;
  /** When the tag is checked next (ISO 8601); null when it is not (`--once`, or removed from the catalog). */
  nextCheck: string | null;
}

/** One thing that happened, as `watch` logs it (one line each) and counts it in its metrics. */
export type WatchEvent = { time: string } & (
  | {
      type: 'started';
      catalog: string;
      tags: number;
      /** The scheduled discoveries whose repositories are listed, when there are any. */
      discoveries?: number;
      importsPerMinute: number;
      once: boolean;
    }
  | ({ type: 'unchanged'; digest: string | null; recovered: boolean } & TagEventBase)
  | ({
      type: 'imported';
      action: 'create' | 'update';
      reason: ChangeReason;
      digest: string;
      previous: string | null;
      /** The tags following it that moved with it. */
      followers: string[];
      recovered: boolean;
    } & TagEventBase)
  | ({ type: 'failed'; reason: WatchFailureReason; message: string } & TagEventBase)
  | {
      type: 'discovered';
      stream: string;
      repository: string;
      /** The tags kept, newest first; `added` of them are new, `removed` left the window, `retained` stay. */
      tags: string[];
      added: string[];
      removed: string[];
      retained: string[];
      recovered: boolean;
      /** When the repository is listed next (ISO 8601); null when it is not (`--once`). */
      nextCheck: string | null;
    }
  | {
      type: 'discovery-failed';
      stream: string;
      repository: string;
      reason: WatchFailureReason;
      message: string;
      failures: number;
      nextCheck: string | null;
    }
  | { type: 'lock-wait'; address: string; holder: LockInfo | null }
  | { type: 'abandoned'; address: string }
  /** `credentials`: the credentials files whose content changed, by path, when any did. */
  | { type: 'catalog-reloaded'; catalog: string; tags: number; discoveries?: number; credentials?: string[] }
  /** `problems`: each `file:line:column: error: …`; `message`: all of them, one a line. */
  | { type: 'catalog-invalid'; catalog: string; message: string; problems: string[] }
  /** A credentials file that changed cannot be used (`message` names it, never a credential). */
  | { type: 'credentials-invalid'; catalog: string; message: string }
  | { type: 'stopping'; reason: string }
  | { type: 'stopped'; checks: number; imported: number; failed: number; abandoned: number }
);

export type WatchEventType = WatchEvent['type'];

/** The events about one tag's check. */
export type TagEvent = Extract<WatchEvent, { type: 'unchanged' | 'imported' | 'failed' }>;
