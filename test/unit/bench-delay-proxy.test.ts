import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type DelayClock, delayedPipe, startDelayProxy } from '../../bench/lib/delay-proxy.mjs';
import { settle } from '../helpers/manual-clock.js';

/** Timers that fire only when the test moves time on. */
class StepClock implements DelayClock {
  private time = 0;
  private timers = new Set<{ at: number; task: () => void }>();

  now(): number {
    return this.time;
  }

  schedule(task: () => void, ms: number): unknown {
    const timer = { at: this.time + ms, task };
    this.timers.add(timer);
    return timer;
  }

  cancel(handle: unknown): void {
    this.timers.delete(handle as { at: number; task: () => void });
  }

  /** Moves to `time`, firing due timers in time order. */
  async to(time: number): Promise<void> {
    await settle();
    for (;;) {
      const next = [...this.timers].filter((t) => t.at <= time).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers.delete(next);
      this.time = next.at;
      next.task();
      await settle();
    }
    this.time = time;
    await settle();
  }
}

function collected(stream: PassThrough): { text: () => string; ended: () => boolean } {
  const chunks: Buffer[] = [];
  let ended = false;
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => {
    ended = true;
  });
  return { text: () => Buffer.concat(chunks).toString('utf8'), ended: () => ended };
}

describe('one direction of the delay proxy', () => {
  it("holds a connection's first bytes one handshake plus half a round trip, later ones half a round trip", async () => {
    const clock = new StepClock();
    const from = new PassThrough();
    const to = new PassThrough();
    const seen = collected(to);
    delayedPipe(from, to, { delayMs: () => 25, setupMs: 50, clock });

    from.write('hello');
    await clock.to(74);
    expect(seen.text()).toBe('');
    await clock.to(75);
    expect(seen.text()).toBe('hello');

    from.write(' world');
    await clock.to(99);
    expect(seen.text()).toBe('hello');
    await clock.to(100);
    expect(seen.text()).toBe('hello world');
  });

  it('ends the other side only after the data sent before the end', async () => {
    const clock = new StepClock();
    const from = new PassThrough();
    const to = new PassThrough();
    const seen = collected(to);
    delayedPipe(from, to, { delayMs: () => 10, clock });

    from.end('last words');
    await clock.to(9);
    expect(seen.ended()).toBe(false);
    await clock.to(10);
    expect(seen.text()).toBe('last words');
    expect(seen.ended()).toBe(true);
  });

  it('never lets a chunk overtake an earlier one when the delay shrinks', async () => {
    const clock = new StepClock();
    const from = new PassThrough();
    const to = new PassThrough();
    const seen = collected(to);
    let delay = 50;
    delayedPipe(from, to, { delayMs: () => delay, clock });

    from.write('first ');
    delay = 0;
    from.write('second');
    await clock.to(49);
    expect(seen.text()).toBe('');
    await clock.to(50);
    expect(seen.text()).toBe('first second');
  });
});

describe('the delay proxy', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A TCP server that answers whatever a client sends, once it ends, with `reply`, and records what it got. */
  async function answeringServer(reply: Buffer): Promise<{ port: number; received: Buffer[] }> {
    const received: Buffer[] = [];
    const server: Server = createServer({ allowHalfOpen: true }, (socket: Socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => {
        received.push(Buffer.concat(chunks));
        socket.end(reply);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    return { port: (server.address() as { port: number }).port, received };
  }

  /** Sends `bytes` through a new connection to `port`, half-closes, and resolves with everything answered. */
  function exchange(port: number, bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => socket.end(bytes));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => {
        socket.end();
        resolve(Buffer.concat(chunks));
      });
      socket.on('error', reject);
    });
  }

  it('passes bytes unchanged both ways, and a half-close through to the other side', async () => {
    const request = randomBytes(3 * 1024 * 1024);
    const reply = randomBytes(2 * 1024 * 1024 + 7);
    const upstream = await answeringServer(reply);
    const proxy = await startDelayProxy({ upstreamPort: upstream.port, rttMs: 2 });
    cleanups.push(() => proxy.stop());

    const answered = await exchange(proxy.port, request);

    expect(upstream.received).toHaveLength(1);
    expect(upstream.received[0]!.equals(request)).toBe(true);
    expect(answered.equals(reply)).toBe(true);
  });

  it('counts the connections it accepts, from the start or the last reset', async () => {
    const upstream = await answeringServer(Buffer.from('ok'));
    const proxy = await startDelayProxy({ upstreamPort: upstream.port });
    cleanups.push(() => proxy.stop());

    await Promise.all([1, 2, 3].map(() => exchange(proxy.port, Buffer.from('ping'))));
    expect(proxy.connections()).toBe(3);
    proxy.reset();
    await exchange(proxy.port, Buffer.from('ping'));
    expect(proxy.connections()).toBe(1);
  });

  it('sends new connections where setUpstream says, so its address can be handed out before its server starts', async () => {
    const proxy = await startDelayProxy();
    cleanups.push(() => proxy.stop());
    const upstream = await answeringServer(Buffer.from('from the server started later'));
    proxy.setUpstream(upstream.port);

    expect((await exchange(proxy.port, Buffer.from('hi'))).toString()).toBe('from the server started later');
  });
});
