import { connect, createServer } from 'node:net';

/** Bytes queued in one direction beyond which the sending side is paused (a generous TCP window). */
const WINDOW_BYTES = 8 * 1024 * 1024;

/** Real time: `now()` in milliseconds and `schedule(task, ms)` returning a handle for `cancel`. */
export const realClock = {
  now: () => performance.now(),
  schedule: (task, ms) => setTimeout(task, ms),
  cancel: (handle) => clearTimeout(handle),
};

/**
 * One direction of a connection: chunks read from `from` are written to `to` `delayMs()` after they arrived, in
 * order; the first chunk of the connection waits `setupMs` more (see startDelayProxy). The end of `from` ends `to`
 * once everything before it is delivered. Reading pauses while more than WINDOW_BYTES wait.
 */
export function delayedPipe(from, to, { delayMs, setupMs = 0, clock = realClock }) {
  const queue = [];
  let queuedBytes = 0;
  let lastDue = Number.NEGATIVE_INFINITY;
  let first = true;
  let timer;

  const deliver = () => {
    timer = undefined;
    const now = clock.now();
    while (queue.length > 0 && queue[0].due <= now) {
      const { chunk } = queue.shift();
      if (chunk === null) {
        to.end();
        continue;
      }
      queuedBytes -= chunk.length;
      if (!to.destroyed) to.write(chunk);
    }
    resumeIfRoom();
    arm();
  };
  const resumeIfRoom = () => {
    if (from.isPaused() && queuedBytes < WINDOW_BYTES && to.writableLength < WINDOW_BYTES) from.resume();
  };
  const arm = () => {
    if (timer !== undefined || queue.length === 0) return;
    timer = clock.schedule(deliver, Math.max(0, queue[0].due - clock.now()));
  };
  const enqueue = (chunk) => {
    const extra = first ? setupMs : 0;
    first = false;
    // A later chunk never overtakes an earlier one, even when the delay changed in between.
    lastDue = Math.max(lastDue, clock.now() + delayMs() + extra);
    queue.push({ due: lastDue, chunk });
    arm();
  };

  from.on('data', (chunk) => {
    queuedBytes += chunk.length;
    enqueue(chunk);
    if (queuedBytes >= WINDOW_BYTES || to.writableLength >= WINDOW_BYTES) from.pause();
  });
  to.on('drain', resumeIfRoom);
  from.on('end', () => enqueue(null));
  return {
    stop: () => {
      if (timer !== undefined) clock.cancel(timer);
      timer = undefined;
      queue.length = 0;
    },
  };
}

/**
 * A TCP proxy on a free loopback port in front of 127.0.0.1:`upstreamPort`, modelling a server across the
 * internet: data in each direction is delivered RTT/2 after it arrived, and the first bytes a client sends on a
 * connection wait one RTT more, as a TCP handshake costs before a client can send (so TLS handshakes, requests and
 * token round trips all pay the latency, over HTTP/1.1 and HTTP/2 alike; nothing is decrypted). Counts accepted
 * connections. `setRtt(ms)` changes the delay for data arriving from then on; `setUpstream(port)` where new
 * connections go (a proxy can be started, and its address handed out, before its server).
 */
export async function startDelayProxy({ upstreamPort, rttMs = 0, clock = realClock } = {}) {
  let rtt = rttMs;
  let upstream = upstreamPort;
  let connections = 0;
  const open = new Set();
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    connections++;
    const remote = connect({ host: '127.0.0.1', port: upstream, allowHalfOpen: true, noDelay: true });
    const pipes = [
      delayedPipe(client, remote, { delayMs: () => rtt / 2, setupMs: rtt, clock }),
      delayedPipe(remote, client, { delayMs: () => rtt / 2, clock }),
    ];
    const pair = [client, remote];
    open.add(pair);
    let closed = 0;
    const close = () => {
      if (++closed < 2) return;
      for (const pipe of pipes) pipe.stop();
      open.delete(pair);
    };
    for (const socket of pair) {
      socket.once('close', close);
      socket.on('error', () => {
        for (const end of pair) end.destroy();
      });
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    host: `127.0.0.1:${port}`,
    rtt: () => rtt,
    setRtt: (ms) => {
      rtt = ms;
    },
    setUpstream: (port) => {
      upstream = port;
    },
    /** Connections accepted since the start or the last reset. */
    connections: () => connections,
    reset: () => {
      connections = 0;
    },
    stop: () =>
      new Promise((resolve) => {
        for (const pair of open) for (const socket of pair) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
