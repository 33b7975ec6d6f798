import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE } from '../../src/registry/http/deadline.js';
import { RequestLimiter } from '../../src/registry/http/limiter.js';
import {
  type IdleTimer,
  type SocketConnector,
  SpareConnections,
  type SparePlaces,
} from '../../src/registry/http/spare-connections.js';
import { Transport, type TransportOptions } from '../../src/registry/http/transport.js';
import { buildConnector, Pool } from '../../src/registry/http/undici-parts.js';

/** A plain-HTTP server on loopback answering every request with 200, counting the connections it accepted. */
async function countingServer(options: { closeFirst?: number } = {}) {
  const accepted: Socket[] = [];
  let toClose = options.closeFirst ?? 0;
  const server: Server = createServer((socket) => {
    accepted.push(socket);
    if (toClose > 0) {
      toClose -= 1;
      socket.destroy();
      return;
    }
    socket.on('data', () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    accepted,
    origin: `http://127.0.0.1:${port}`,
    target: { host: `127.0.0.1:${port}`, hostname: '127.0.0.1', protocol: 'http:', port: String(port) },
    open: () => accepted.filter((s) => !s.destroyed).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of accepted) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

type CountingServer = Awaited<ReturnType<typeof countingServer>>;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Idle timers that fire only when told to. */
function manualIdleTimers() {
  const armed = new Set<{ ms: number; fire: () => void }>();
  const timer: IdleTimer = (ms, fire) => {
    const entry = { ms, fire };
    armed.add(entry);
    return () => armed.delete(entry);
  };
  return {
    timer,
    /** The idle time of each timer armed and not yet cancelled or fired. */
    armed: () => [...armed].map((entry) => entry.ms),
    fireAll: () => {
      for (const entry of [...armed]) {
        armed.delete(entry);
        entry.fire();
      }
    },
  };
}

const IDLE_MS = 30_000;

function poolWithSpares(server: CountingServer, connections: number) {
  const connect = buildConnector({}) as SocketConnector;
  /** The connections opened through the connector, counted as they are started, without waiting for the server. */
  const opened = { count: 0 };
  const idle = manualIdleTimers();
  const counted: SocketConnector = (target, callback) => {
    opened.count += 1;
    return connect(target, callback);
  };
  const spares = new SpareConnections(counted, { idleMs: IDLE_MS, timer: idle.timer });
  const pool = new Pool(server.origin, { connections, pipelining: 1, connect: spares.connector });
  closers.push(async () => {
    spares.close();
    await pool.destroy();
  });
  const get = () =>
    pool.request({ method: 'GET', path: '/', reset: false }).then(async (res) => {
      await res.body.dump();
      return res.statusCode;
    });
  return { spares, pool, get, opened, idle };
}

async function started(options?: { closeFirst?: number }): Promise<CountingServer> {
  const server = await countingServer(options);
  closers.push(server.close);
  return server;
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('spare connections: set up ahead of the requests that will use them', () => {
  it('opens as many as asked for, and the requests that follow use them instead of opening their own', async () => {
    const server = await started();
    const { spares, get, opened } = poolWithSpares(server, 4);
    spares.warm(server.target, 4);
    await settled();
    expect(server.accepted).toHaveLength(4);

    expect(await Promise.all([get(), get(), get(), get()])).toEqual([200, 200, 200, 200]);
    expect(opened.count).toBe(4);
    expect(server.accepted).toHaveLength(4);
  });

  it('hands a connection still being set up to the request that asks for one', async () => {
    const server = await started();
    const { spares, get, opened } = poolWithSpares(server, 3);
    spares.warm(server.target, 3);
    expect(await Promise.all([get(), get(), get()])).toEqual([200, 200, 200]);
    expect(opened.count).toBe(3);
    expect(server.accepted).toHaveLength(3);
  });

  it('counts the connections already up or on their way, and never opens more than asked for', async () => {
    const server = await started();
    const { spares, get, opened } = poolWithSpares(server, 8);
    expect(await get()).toBe(200);
    spares.warm(server.target, 3);
    spares.warm(server.target, 3);
    expect(opened.count).toBe(3);
    spares.warm(server.target, 1);
    expect(opened.count).toBe(3);
  });

  it('passes over a spare the server has closed', async () => {
    const server = await started({ closeFirst: 2 });
    const { spares, get } = poolWithSpares(server, 2);
    spares.warm(server.target, 2);
    await settled();
    expect(server.open()).toBe(0);

    expect(await Promise.all([get(), get()])).toEqual([200, 200]);
    expect(server.accepted).toHaveLength(4);
  });

  it('gives the request that claimed a spare the error its set-up met', async () => {
    const server = await started();
    const target = { ...server.target };
    await server.close();
    const { spares, get, opened } = poolWithSpares(server, 1);
    spares.warm(target, 1);
    await expect(get()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(opened.count).toBe(1);
  });

  it('leaves a connection its connector cannot start to the request that needs it', async () => {
    const refusing: SocketConnector = () => {
      throw new Error('no such host');
    };
    const spares = new SpareConnections(refusing, { idleMs: IDLE_MS });
    expect(() => spares.warm({ hostname: 'registry.example', protocol: 'https:', port: '' }, 2)).not.toThrow();
  });

  it('keeps no process alive while waiting, and closes the spares nobody asked for', async () => {
    const server = await started();
    const { spares, opened } = poolWithSpares(server, 2);
    spares.warm(server.target, 2);
    await settled();
    expect(server.open()).toBe(2);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap')).toHaveLength(
      server.open(), // the server's ends only: the spares are unreferenced
    );

    spares.close();
    await settled();
    expect(server.open()).toBe(0);
    spares.warm(server.target, 2);
    expect(opened.count).toBe(2);
  });

  it('closes a spare nobody asks for once it has been idle as long as a pooled connection is kept', async () => {
    const server = await started();
    const { spares, get, opened, idle } = poolWithSpares(server, 2);
    spares.warm(server.target, 2);
    await settled();
    expect(idle.armed()).toEqual([IDLE_MS, IDLE_MS]);

    idle.fireAll();
    await settled();
    expect(server.open()).toBe(0);
    expect(await get()).toBe(200);
    expect(opened.count).toBe(3);
  });

  it('keeps a spare the pool has taken open past its idle time: the pool keeps it alive from then on', async () => {
    const server = await started();
    const { spares, get, idle } = poolWithSpares(server, 1);
    spares.warm(server.target, 1);
    await settled();
    expect(await get()).toBe(200);
    expect(idle.armed()).toEqual([]);
    expect(server.open()).toBe(1);
  });

  it('closes, of the spares one warm set up, those nobody has asked for, and only those', async () => {
    const server = await started();
    const { spares, get, opened } = poolWithSpares(server, 3);
    const first = spares.warm(server.target, 2);
    await settled();
    expect(await get()).toBe(200);
    spares.warm(server.target, 3);
    await settled();
    expect(server.open()).toBe(3);

    first.close();
    await settled();
    expect(server.open()).toBe(2);
    expect(await Promise.all([get(), get()])).toEqual([200, 200]);
    expect(opened.count).toBe(3);
  });

  it("are set up by a registry origin's transport, which sends over them, only over HTTP/1.1 without a proxy", async () => {
    const server = await started();
    const variants: Partial<TransportOptions>[] = [{}, { http2: true }, { proxy: 'http://127.0.0.1:9' }];
    const [plain, multiplexed, proxied] = variants.map((extra) => {
      const transport = new Transport({
        insecure: false,
        caFiles: [],
        connections: 3,
        http2: false,
        connectTimeoutMs: 5_000,
        bodyTimeoutMs: 5_000,
        deadline: DEFAULT_DEADLINE,
        peer: { registry: server.target.host },
        ...extra,
      });
      closers.push(() => transport.close());
      return transport;
    });
    const origin = new URL(server.origin);

    plain!.warm(origin, 8);
    await settled();
    expect(server.accepted).toHaveLength(3);
    const get = async () => {
      const res = await plain!.send({ method: 'GET', url: new URL('/v2/', origin), headers: {} });
      await res.body.dump();
      return res.status;
    };
    expect(await Promise.all([get(), get(), get()])).toEqual([200, 200, 200]);
    expect(server.accepted).toHaveLength(3);

    multiplexed!.warm(origin, 3);
    proxied!.warm(origin, 3);
    await settled();
    expect(server.accepted).toHaveLength(3);
  });
});

describe("spare connections: within the host's places, all its clients' together", () => {
  /** Places counted as they are taken and given, at most `limit` at once. */
  function countedPlaces(limit: number): SparePlaces & { taken: number } {
    const places = {
      taken: 0,
      take: () => places.taken < limit && ++places.taken > 0,
      give: () => {
        places.taken -= 1;
      },
    };
    return places;
  }

  it('takes a place for each spare and gives it back once a request claims it, or it closes', async () => {
    const server = await started();
    const places = countedPlaces(4);
    const { spares, get, opened, idle } = poolWithSpares(server, 4);
    spares.warm(server.target, 4, places);
    await settled();
    expect(places.taken).toBe(4);

    expect(await get()).toBe(200);
    expect(places.taken).toBe(3);
    idle.fireAll();
    await settled();
    expect(places.taken).toBe(0);
    expect(opened.count).toBe(4);
  });

  it("lets a host's other client set up its own once the first client's spares are used", async () => {
    const server = await started();
    const limiter = new RequestLimiter(4);
    const one = poolWithSpares(server, 4);
    const other = poolWithSpares(server, 4);
    one.spares.warm(server.target, 4, limiter.sparePlaces);
    other.spares.warm(server.target, 4, limiter.sparePlaces);
    expect([one.opened.count, other.opened.count]).toEqual([4, 0]);

    const send = () => limiter.run(one.get);
    expect(await Promise.all([send(), send(), send()])).toEqual([200, 200, 200]);
    other.spares.warm(server.target, 4, limiter.sparePlaces);
    expect(other.opened.count).toBe(3);

    one.spares.close();
    other.spares.warm(server.target, 4, limiter.sparePlaces);
    expect(other.opened.count).toBe(4);
  });

  it('leaves room for the requests in flight: spares and those together stay within maxConcurrency', async () => {
    const limiter = new RequestLimiter(3);
    let finish = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const inFlight = limiter.run(() => finished);
    const taken = [limiter.sparePlaces.take(), limiter.sparePlaces.take(), limiter.sparePlaces.take()];
    expect(taken).toEqual([true, true, false]);
    finish();
    await inFlight;
    expect(limiter.sparePlaces.take()).toBe(true);
  });
});
