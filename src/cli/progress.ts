import { Listr, ProcessOutput } from 'listr2';
import { shortDigest } from '../core/digest.js';
import type { PlannedChange } from '../core/plan-model.js';
import type { ApplyEvent } from '../engine/apply.js';
import type { ImportProgress } from '../operations/progress.js';
import type { Io } from './output.js';

/** Shows apply progress on stderr: listr2 on a terminal, one plain line per event otherwise, nothing with --json. */
export interface Progress {
  onEvent(event: ApplyEvent): void;
  finish(): Promise<void>;
}

export function createProgress(changes: PlannedChange[], io: Io, silent: boolean): Progress {
  if (silent) return { onEvent: () => {}, finish: async () => {} };
  const work = changes.filter((c) => c.action !== 'noop');
  return io.stderr.isTTY && io.env.CI === undefined ? listrProgress(work, io) : plainProgress(io);
}

const VERBS: Record<PlannedChange['action'], [string, string]> = {
  create: ['importing', 'imported'],
  update: ['re-importing', 're-imported'],
  delete: ['removing from state', 'removed from state'],
  noop: ['', ''],
};

function plainProgress(io: Io): Progress {
  return {
    onEvent(event) {
      if (event.type === 'start') io.stderr.write(`${event.address}: ${VERBS[event.action][0]}…\n`);
      if (event.type === 'done') {
        const digest = event.digest ? ` ${shortDigest(event.digest)}` : '';
        io.stderr.write(`${event.address}: ${VERBS[event.action][1]}${digest}\n`);
      }
      if (event.type === 'failed') io.stderr.write(`${event.address}: failed (${event.reason}): ${event.message}\n`);
    },
    finish: async () => {},
  };
}

function listrProgress(work: PlannedChange[], io: Io): Progress {
  const outcomes = new Map<string, { settle: (event: ApplyEvent) => void }>();
  const done = new Map<string, Promise<ApplyEvent>>();
  for (const change of work) {
    let settle!: (event: ApplyEvent) => void;
    done.set(
      change.address,
      new Promise<ApplyEvent>((resolve) => {
        settle = resolve;
      }),
    );
    outcomes.set(change.address, { settle });
  }
  const stderr = io.stderr as NodeJS.WriteStream;
  const listr = new Listr(
    work.map((change) => ({
      title: `${change.address}: ${VERBS[change.action][0]}`,
      task: async (_ctx: unknown, task: { title: string }) => {
        const event = await done.get(change.address)!;
        if (event.type === 'failed') throw new Error(`${change.address}: ${event.reason}: ${event.message}`);
        if (event.type === 'done') {
          task.title = `${change.address}: ${VERBS[change.action][1]}${event.digest ? ` ${shortDigest(event.digest)}` : ''}`;
        }
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      rendererOptions: { collapseErrors: false },
      processOutput: new ProcessOutput(stderr, stderr),
    } as ConstructorParameters<typeof Listr>[1],
  );
  const running = listr.run().catch(() => undefined);
  return {
    onEvent(event) {
      if (event.type === 'start') return;
      outcomes.get(event.address)?.settle(event);
      outcomes.delete(event.address);
    },
    async finish() {
      for (const [address, outcome] of outcomes) {
        outcome.settle({ type: 'failed', address, reason: 'InternalError', message: 'not attempted' });
      }
      await running;
    },
  };
}

/** An operation's import progress, shown as `createProgress` shows it. */
export function importProgress(io: Io, silent: boolean): ImportProgress {
  let progress: Progress | undefined;
  return {
    started: (changes) => {
      progress = createProgress([...changes], io, silent);
    },
    onEvent: (event) => progress?.onEvent(event),
    finished: async () => progress?.finish(),
  };
}
