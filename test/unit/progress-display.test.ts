import { describe, expect, it } from 'vitest';
import { stderrWarning } from '../../src/cli/context.js';
import { createProgress, isLiveTerminal } from '../../src/cli/progress.js';
import { LiveProgress, type Ticker } from '../../src/cli/progress-live.js';
import { PLAIN_COPY_INTERVAL_MS, PlainProgress } from '../../src/cli/progress-plain.js';
import { RateMeter } from '../../src/cli/progress-rate.js';
import type { ApplyEvent } from '../../src/operations/progress.js';
import { fitWidth } from '../../src/render/fit-lines.js';
import { copiedText, copyProgressText } from '../../src/render/progress-text.js';
import { memoryIo } from '../helpers/memory-io.js';

const MiB = 1024 * 1024;
const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** Time that moves only when told to; `advance` runs the repeating timers once. */
class FakeTicker implements Ticker {
  time = 0;
  private readonly ticks = new Set<() => void>();

  now(): number {
    return this.time;
  }

  every(_ms: number, tick: () => void): () => void {
    this.ticks.add(tick);
    return () => this.ticks.delete(tick);
  }

  advance(ms: number): void {
    this.time += ms;
    for (const tick of this.ticks) tick();
  }

  get running(): number {
    return this.ticks.size;
  }
}

/**
 * A terminal screen that understands what the live display writes: text, newlines, cursor up (ESC [ n A) and clear
 * to the end of the screen (ESC [ J). It records every line as written, to check that none is wider than the screen.
 */
class Screen {
  readonly isTTY = true;
  lines: string[] = [];
  row = 0;
  written: string[] = [];

  constructor(
    public columns: number,
    readonly rows = 24,
  ) {}

  write(text: string): void {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what the screen interprets
    for (const part of text.split(/(\u001b\[\d*[AJ])/)) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
      const move = /^\u001b\[(\d*)([AJ])$/.exec(part);
      if (move?.[2] === 'A') this.row -= Number(move[1]);
      else if (move?.[2] === 'J') this.lines.length = this.row;
      else this.text(part);
    }
  }

  private text(text: string): void {
    const pieces = text.split('\n');
    pieces.forEach((piece, i) => {
      if (piece) {
        this.lines[this.row] = (this.lines[this.row] ?? '') + piece;
        this.written.push(piece);
      }
      if (i < pieces.length - 1) this.row++;
    });
  }
}

const start = (address: string, action: 'create' | 'update' = 'create'): ApplyEvent => ({
  type: 'start',
  address,
  action,
});
const copied = (address: string, bytes: number, plannedBytes: number | null = 256 * MiB): ApplyEvent => ({
  type: 'copied',
  address,
  bytes,
  plannedBytes,
});
const done = (address: string, action: 'create' | 'update' = 'create'): ApplyEvent => ({
  type: 'done',
  address,
  action,
  digest: DIGEST,
});

describe('which terminals get the live display', () => {
  it.each([
    [{ isTTY: true, columns: 80 }, {}, true],
    [{ isTTY: true, columns: 0 }, {}, false],
    [{ isTTY: true }, {}, false],
    [{ isTTY: true, columns: 12 }, {}, false],
    [{ isTTY: false, columns: 80 }, {}, false],
    [{ isTTY: true, columns: 80 }, { CI: 'true' }, false],
    [{ isTTY: true, columns: 80 }, { TERM: 'dumb' }, false],
  ])('%j with %j: %s', (terminal, env, live) => {
    expect(isLiveTerminal(terminal, env)).toBe(live);
  });
});

describe('the copy progress text', () => {
  it('says bytes, share of the plan, rate and time left', () => {
    expect(copyProgressText({ bytes: 64 * MiB, plannedBytes: 256 * MiB, bytesPerSecond: 32 * MiB })).toBe(
      '64.0 MiB of 256.0 MiB (25%), 32.0 MiB/s, about 6s left',
    );
  });

  it('leaves out what it cannot tell yet', () => {
    expect(copyProgressText({ bytes: 512, plannedBytes: null, bytesPerSecond: null })).toBe('512 B');
    expect(copyProgressText({ bytes: 300, plannedBytes: 200, bytesPerSecond: 100 })).toBe('300 B, 100 B/s');
  });

  it('says what a whole copy did', () => {
    expect(copiedText({ bytes: 256 * MiB, elapsedMs: 2_000 })).toBe('copied 256.0 MiB in 2.0s, 128.0 MiB/s');
    expect(copiedText({ bytes: 256 * MiB, elapsedMs: 150_000 })).toBe('copied 256.0 MiB in 2m30s, 1.71 MiB/s');
    expect(copiedText({ bytes: 10, elapsedMs: 0 })).toBe('copied 10 B');
  });
});

describe('RateMeter', () => {
  it('tells nothing over less than half a second, then the rate of the last few seconds', () => {
    const meter = new RateMeter(0);
    meter.record(100, 1_000);
    expect(meter.perSecond(100)).toBeNull();
    for (let at = 1_000; at <= 10_000; at += 1_000) meter.record(at, at < 6_000 ? at * 10 : 50_000 + (at - 5_000) * 2);
    expect(meter.perSecond(10_000)).toBe(2_000);
  });

  it('falls when the bytes stop coming', () => {
    const meter = new RateMeter(0);
    meter.record(1_000, 1_000);
    expect(meter.perSecond(1_000)).toBe(1_000);
    expect(meter.perSecond(4_000)).toBe(250);
  });
});

describe('fitWidth', () => {
  it('keeps a line that fits, leaving the last column free', () => {
    expect(fitWidth('abcd', 5)).toBe('abcd');
    expect(fitWidth('abcde', 5)).toBe('abc…');
  });

  it('always keeps something', () => {
    expect(fitWidth('abc', 0)).toBe('…');
  });
});

describe('PlainProgress', () => {
  it('writes whole lines: start, outcome, and a running copy at most every few seconds', () => {
    const out: string[] = [];
    const clock = new FakeTicker();
    const progress = new PlainProgress({ write: (text) => out.push(text) }, () => clock.now());
    progress.onEvent(start('big:1.0'));
    clock.time = 1_000;
    progress.onEvent(copied('big:1.0', 16 * MiB));
    clock.time = PLAIN_COPY_INTERVAL_MS;
    progress.onEvent(copied('big:1.0', 64 * MiB));
    clock.time = PLAIN_COPY_INTERVAL_MS + 1_000;
    progress.onEvent(copied('big:1.0', 80 * MiB));
    clock.time = 2 * PLAIN_COPY_INTERVAL_MS;
    progress.onEvent(copied('big:1.0', 256 * MiB));
    progress.onEvent(done('big:1.0'));
    expect(out.join('')).toBe(
      [
        'big:1.0: importing…',
        'big:1.0: importing 64.0 MiB of 256.0 MiB (25%), 12.8 MiB/s, about 15s left',
        'big:1.0: importing 256.0 MiB of 256.0 MiB (100%), 38.4 MiB/s',
        `big:1.0: imported ${DIGEST.slice(0, 19)} (copied 256.0 MiB in 10.0s, 25.6 MiB/s)`,
        '',
      ].join('\n'),
    );
  });

  it('reports a failure with its reason', () => {
    const out: string[] = [];
    const progress = new PlainProgress({ write: (text) => out.push(text) }, () => 0);
    progress.onEvent(start('app:1.0', 'update'));
    progress.onEvent({ type: 'failed', address: 'app:1.0', reason: 'NotFound', message: 'no tag "1.0"' });
    expect(out).toEqual(['app:1.0: re-importing…\n', 'app:1.0: failed (NotFound): no tag "1.0"\n']);
  });
});

describe('LiveProgress', () => {
  function live(columns: number, rows = 24) {
    const screen = new Screen(columns, rows);
    const clock = new FakeTicker();
    const progress = new LiveProgress(screen, clock);
    return { screen, clock, progress };
  }

  it('redraws the running imports in place, below the outcome lines, with bytes, rate and time left', () => {
    const { screen, clock, progress } = live(100);
    progress.onEvent(start('big:1.0'));
    progress.onEvent(start('app:2', 'update'));
    clock.advance(200);
    expect(screen.lines).toEqual(['big:1.0: importing', 'app:2: re-importing']);
    clock.time = 2_000;
    progress.onEvent(copied('big:1.0', 64 * MiB));
    progress.onEvent(done('app:2', 'update'));
    clock.advance(0);
    expect(screen.lines).toEqual([
      `app:2: re-imported ${DIGEST.slice(0, 19)}`,
      'big:1.0: importing 64.0 MiB of 256.0 MiB (25%), 32.0 MiB/s, about 6s left',
    ]);
    clock.time = 4_000;
    progress.onEvent(copied('big:1.0', 256 * MiB));
    progress.onEvent(done('big:1.0'));
    void progress.finish();
    expect(screen.lines).toEqual([
      `app:2: re-imported ${DIGEST.slice(0, 19)}`,
      `big:1.0: imported ${DIGEST.slice(0, 19)} (copied 256.0 MiB in 4.0s, 64.0 MiB/s)`,
    ]);
    expect(clock.running).toBe(0);
  });

  it('cuts running lines to the width, so that none wraps', () => {
    const { screen, clock, progress } = live(30);
    progress.onEvent(start('a-rather-long-stream-name:1.0'));
    progress.onEvent(copied('a-rather-long-stream-name:1.0', MiB));
    clock.advance(1_000);
    clock.advance(1_000);
    expect(screen.lines).toEqual(['a-rather-long-stream-name:1.…']);
    expect(Math.max(...screen.written.map((line) => [...line].length))).toBeLessThan(30);
  });

  it('shows at most as many running imports as the terminal has rows for', () => {
    const { screen, clock, progress } = live(80, 5);
    for (let i = 1; i <= 6; i++) progress.onEvent(start(`app:${i}`));
    clock.advance(200);
    expect(screen.lines).toEqual(['app:1: importing', 'app:2: importing', '… and 4 more']);
  });

  it('writes only the outcome lines when the terminal is narrowed below a useful width', () => {
    const { screen, clock, progress } = live(80);
    progress.onEvent(start('app:1'));
    progress.onEvent(start('app:2'));
    clock.advance(200);
    screen.columns = 0;
    progress.onEvent(done('app:1'));
    clock.advance(200);
    expect(screen.lines).toEqual([`app:1: imported ${DIGEST.slice(0, 19)}`]);
  });
});

describe('stderr while the live display is on the terminal', () => {
  const RETRYING = 'registry.example.com: 503 Service Unavailable, retrying in 1s';

  function liveApply() {
    const screen = new Screen(80);
    const clock = new FakeTicker();
    const io = memoryIo({ stderr: screen });
    const progress = createProgress(io, false, clock);
    progress.onEvent(start('big:1.0'));
    clock.advance(200);
    return { screen, clock, io, progress };
  }

  it('shows a warning written between redraws once, above the running imports, where redraws leave it', () => {
    const { screen, clock, io } = liveApply();
    stderrWarning(io)(RETRYING);
    clock.advance(200);
    clock.advance(200);
    expect(screen.lines).toEqual([`warning: ${RETRYING}`, 'big:1.0: importing']);
    expect(screen.written.filter((line) => line.startsWith('warning:'))).toHaveLength(1);
  });

  it('keeps outcome lines and other stderr lines in the order they came', () => {
    const { screen, clock, io, progress } = liveApply();
    progress.onEvent(start('app:1'));
    progress.onEvent(done('app:1'));
    stderrWarning(io)(RETRYING);
    clock.advance(200);
    expect(screen.lines).toEqual([
      `app:1: imported ${DIGEST.slice(0, 19)}`,
      `warning: ${RETRYING}`,
      'big:1.0: importing',
    ]);
  });

  it("holds text without its line end until the line is complete, or until the display's end", async () => {
    const { screen, clock, io, progress } = liveApply();
    io.stderr.write('warning: the first half');
    clock.advance(200);
    expect(screen.lines).toEqual(['big:1.0: importing']);
    io.stderr.write(' and the second\nEnter a value: ');
    clock.advance(200);
    expect(screen.lines).toEqual(['warning: the first half and the second', 'big:1.0: importing']);
    await progress.finish();
    expect(screen.lines).toEqual(['warning: the first half and the second', 'Enter a value: ']);
  });

  it('is erased when the progress finishes, and stderr then goes straight to the terminal', async () => {
    const { screen, clock, io, progress } = liveApply();
    await progress.finish();
    expect(screen.lines).toEqual([]);
    expect(clock.running).toBe(0);
    io.stderr.write('error: the state journal cannot be written\n');
    io.stderr.write('Enter a value: ');
    expect(screen.lines).toEqual(['error: the state journal cannot be written', 'Enter a value: ']);
  });

  it('is erased at once when the process must exit now, and stderr then goes straight to the terminal', () => {
    const { screen, clock, io } = liveApply();
    io.stderr.write('warning: the first half');
    io.stderr.endTakeOver();
    io.stderr.write('\nerror: stopped at once (SIGINT)\n');
    expect(screen.lines).toEqual(['warning: the first half', 'error: stopped at once (SIGINT)']);
    expect(clock.running).toBe(0);
  });
});

describe('stderr with no live display', () => {
  it.each([
    ['not a terminal', { isTTY: false, columns: 80 }, {}, false],
    ['a terminal in CI', { isTTY: true, columns: 80 }, { CI: 'true' }, false],
    ['a terminal too narrow', { isTTY: true, columns: 12 }, {}, false],
    ['--json on a terminal', { isTTY: true, columns: 80 }, {}, true],
  ])('%s: goes out as written, when written, byte for byte', async (_, facts, env, silent) => {
    const chunks: string[] = [];
    const io = memoryIo({ stderr: { ...facts, write: (text: string) => chunks.push(text) }, env });
    const clock = new FakeTicker();
    const progress = createProgress(io, silent, clock);
    progress.onEvent(start('app:1'));
    stderrWarning(io)('registry.example.com: retrying');
    io.stderr.write('no line end');
    clock.advance(200);
    progress.onEvent(done('app:1'));
    await progress.finish();
    const progressLines = silent ? [] : ['app:1: importing…\n', `app:1: imported ${DIGEST.slice(0, 19)}\n`];
    expect(chunks).toEqual([
      ...progressLines.slice(0, 1),
      'warning: registry.example.com: retrying\n',
      'no line end',
      ...progressLines.slice(1),
    ]);
  });
});
