import type { UpdatePolicy } from './update-policy.js';

/** One platform of a tag that moves: its manifest digest before (when it could be read) and after. */
export interface PlatformMove {
  platform: string;
  before?: string;
  after: string;
}

/** A pinned tag whose `from` `update` rewrites. */
export interface TagMove {
  address: string;
  stream: string;
  tag: string;
  /** `from` as written before and after the edit. */
  before: string;
  after: string;
  /** The policy the tag's version was chosen under. */
  policy: UpdatePolicy;
  /** The source tag, when it changes (`16.2` → `16.4`). */
  version?: { from: string; to: string };
  /** The pinned digest, when it changes. */
  digest?: { from: string; to: string };
  /** Per platform, as plan reads them: the chosen one for Legacy, every image of the list for PreserveOriginal. */
  platforms: PlatformMove[];
}

/**
 * Why a tag has nothing to follow: it follows its upstream already (`scheduled`), it names only a digest
 * (`digest-only`), it is neither a version nor pinned to a digest (`floating`), or it is an image layout on disk.
 */
export type LeftAloneReason = 'scheduled' | 'digest-only' | 'floating' | 'layout';

export interface LeftAlone {
  address: string;
  from: string;
  reason: LeftAloneReason;
}

/** What `update` found: the tags that move, and the tags it cannot move. Tags already current are in neither. */
export interface UpdateFindings {
  moves: TagMove[];
  leftAlone: LeftAlone[];
}
