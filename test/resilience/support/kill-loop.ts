import { existsSync, rmSync } from 'node:fs';
import type { State } from '../../../src/core/state-model.js';
import type { Workspace } from '../../helpers/workspace.js';
import { type CliOutcome, runCliMeasured, startCli } from './cli-process.js';
import type { Random } from './random.js';
import { duplicatedItems, parseIfPresent, replayedState, tagsOf } from './state-checks.js';

/** An import or removal that apply reported complete on stderr (one line each when stderr is not a terminal). */
export interface Completion {
  address: string;
  /** The 12-digit digest it printed; null for a removal. */
  shortDigest: string | null;
}

const COMPLETED = /^(?:(\S+): (?:imported|re-imported) (sha256:[0-9a-f]{12})|(\S+): removed from state)$/gm;

export function completions(stderr: string): Completion[] {
  return [...stderr.matchAll(COMPLETED)].map((m) =>
    m[3] ? { address: m[3], shortDigest: null } : { address: m[1]!, shortDigest: m[2]! },
  );
}

/** When to kill: after a delay from the start (start-up, lock, journal replay, planning), or after N completions. */
export type KillPoint = { after: 'ms'; ms: number } | { after: 'completions'; count: number };

/**
 * Mostly in the middle of the imports, spread so that the kills left share the work left; sometimes during
 * start-up (catalog, lock, journal replay, planning); and for the last kill, often right after the last import
 * (the commit).
 */
export function chooseKillPoint(random: Random, remaining: number, killsLeft: number): KillPoint {
  const roll = random.next();
  if (roll < 0.15 || remaining <= 1) return { after: 'ms', ms: random.int(0, 250) };
  if (killsLeft === 1 && roll < 0.6) return { after: 'completions', count: remaining };
  const share = Math.floor((2 * remaining) / (killsLeft + 1));
  return { after: 'completions', count: random.int(1, Math.max(1, Math.min(share, remaining - 1))) };
}

export function describeKillPoint(point: KillPoint): string {
  return point.after === 'ms' ? `${point.ms} ms after start` : `after ${point.count} completed imports`;
}

export interface KilledApply {
  /** False when apply ended on its own before the kill point. */
  killed: boolean;
  pid: number;
  outcome: CliOutcome;
  completed: Completion[];
}

const COMPLETION_LINE = /^\S+: (?:imported|re-imported) sha256:[0-9a-f]{12}$|^\S+: removed from state$/;

/** Runs `apply --auto-approve` and delivers SIGKILL at `point`. */
export async function applyAndKill(workspace: Workspace, point: KillPoint): Promise<KilledApply> {
  const apply = startCli(['apply', '--auto-approve'], workspace.dir);
  const trigger =
    point.after === 'ms'
      ? new Promise<void>((resolve) => setTimeout(resolve, point.ms))
      : apply.waitForLines(COMPLETION_LINE, point.count);
  const reached = await Promise.race([trigger.then(() => true), apply.outcome.then(() => false)]).catch(() => false);
  const outcome = reached ? await apply.kill() : await apply.outcome;
  return { killed: outcome.signal === 'SIGKILL', pid: apply.pid, outcome, completed: completions(outcome.stderr) };
}

/**
 * What a user does after a crash: the next apply reports the dead process's lock, and `force-unlock ID` removes
 * it. A lock file cut short before its content was written cannot be read: the error says to delete it.
 * Returns how the lock was found: none, held by the killed process, or unreadable.
 */
export async function unlockAfterKill(
  workspace: Workspace,
  killedPid: number,
): Promise<'none' | 'held' | 'unreadable'> {
  const lockFile = `${workspace.statePath}.lock`;
  if (!existsSync(lockFile)) return 'none';
  const blocked = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
  if (blocked.code !== 1 || !blocked.stderr.includes('error: cannot lock the state: ')) {
    throw new Error(`apply after a kill should report the lock; it exited ${blocked.code}:\n${blocked.stderr}`);
  }
  if (blocked.stderr.includes('cannot be read')) {
    rmSync(lockFile);
    return 'unreadable';
  }
  const stale = new RegExp(`PID: +${killedPid} \\(not running on this host: the lock may be stale\\)`);
  if (!stale.test(blocked.stderr))
    throw new Error(`the lock error does not name the killed PID ${killedPid}:\n${blocked.stderr}`);
  const id = /imagestreams force-unlock (\S+)/.exec(blocked.stderr)?.[1];
  const unlocked = await runCliMeasured(['force-unlock', id ?? 'missing-id'], workspace.dir);
  if (unlocked.code !== 0) throw new Error(`force-unlock ${id} exited ${unlocked.code}:\n${unlocked.stderr}`);
  return 'held';
}

/** Addresses reported complete whose effect the state does not show (a removal still present, another digest). */
export function lostCompletions(state: State, completed: Iterable<Completion>): string[] {
  const tags = tagsOf(state);
  const lost: string[] = [];
  for (const { address, shortDigest } of completed) {
    const current = tags.get(address);
    if (shortDigest === null ? current !== undefined : !current?.items[0]?.digest.startsWith(shortDigest)) {
      lost.push(address);
    }
  }
  return lost;
}

/** What one round of kills found. */
export interface KillRoundReport {
  kills: number;
  losses: string[];
  duplicates: string[];
  /** Addresses reported complete by more than one apply: work that was done again. */
  repeated: string[];
  log: string[];
}

export interface KillRoundOptions {
  workspace: Workspace;
  random: Random;
  kills: number;
  /** The digests each catalog tag holds once the apply is complete, newest first. */
  expected: ReadonlyMap<string, readonly string[]>;
}

/** Changes still to make: tags whose newest item is not the expected one, and tags still there to be removed. */
export function remainingWork(state: State, expected: ReadonlyMap<string, readonly string[]>): number {
  const tags = tagsOf(state);
  const pending = [...expected].filter(([address, digests]) => tags.get(address)?.items[0]?.digest !== digests[0]);
  const leftovers = [...tags.keys()].filter((address) => !expected.has(address));
  return pending.length + leftovers.length;
}

/**
 * Kills apply `kills` times at random points, checking after each kill that the state file parses and that the
 * state, journal replayed, holds every completion reported so far; recovers the lock as a user would. Stops when
 * no work is left.
 */
export async function killRound(options: KillRoundOptions): Promise<KillRoundReport> {
  const { workspace, random } = options;
  const done = new Map<string, Completion>();
  const report: KillRoundReport = { kills: 0, losses: [], duplicates: [], repeated: [], log: [] };
  let remaining = remainingWork(await replayedState(workspace), options.expected);
  for (let attempt = 0; attempt < 3 * options.kills && report.kills < options.kills && remaining > 0; attempt++) {
    const point = chooseKillPoint(random, remaining, options.kills - report.kills);
    const run = await applyAndKill(workspace, point);
    for (const completion of run.completed) {
      if (done.has(completion.address)) report.repeated.push(completion.address);
      done.set(completion.address, completion);
    }
    parseIfPresent(workspace.statePath);
    parseIfPresent(`${workspace.statePath}.backup`);
    const state = await replayedState(workspace);
    report.losses.push(...lostCompletions(state, done.values()));
    report.duplicates.push(...duplicatedItems(state));
    remaining = remainingWork(state, options.expected);
    const lock = await unlockAfterKill(workspace, run.pid);
    if (run.killed) report.kills++;
    report.log.push(
      `${run.killed ? 'killed' : 'finished'} ${describeKillPoint(point)}: ${run.completed.length} reported complete, ` +
        `${remaining} left; lock ${lock}`,
    );
    if (!run.killed && run.outcome.code !== 0)
      throw new Error(`apply exited ${run.outcome.code}:\n${run.outcome.stderr}`);
  }
  return report;
}
