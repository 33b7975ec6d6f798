import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, OCI_MANIFEST, tinyImage } from '../helpers/hostile-registry.js';
import { generatePki, type TestPki } from '../helpers/tls.js';
import { Workspace } from '../helpers/workspace.js';
import { expectRefused, expectWithinMemory, runOnHostileInput, useHostileRegistries } from './support/hostile.js';
import { tally } from './support/run-context.js';
import { CANARY, canariesIn, canaryAuthFile } from './support/secrets.js';

let pki: TestPki;
beforeAll(() => {
  pki = generatePki();
});

const start = useHostileRegistries();
const fronts: ConnectionFront[] = [];
afterAll(() => {
  for (const front of fronts) front.stop();
});

/** What a front does with each connection after the first (the one the ping goes on). */
type LaterConnections = 'stall' | 'close when idle';

interface ConnectionFront {
  /** `127.0.0.1:PORT` */
  host: string;
  /** The most connections open at once, as the client holds them: one it has closed is not counted. */
  peakOpen(): number;
  stop(): void;
}

/** How long a connection may carry nothing from the client before a `close when idle` front closes it. */
const IDLE_MS = 200;

/**
 * A TCP front to a registry that passes the first connection through, and either accepts the later ones and reads
 * them without ever answering (a TLS handshake that never ends) or passes them through but closes any the client leaves idle.
 */
async function startFront(upstreamPort: number, later: LaterConnections): Promise<ConnectionFront> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let peak = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    // Counted once this turn's I/O is read: a connection the client closed just before opening this one is gone.
    setImmediate(() => {
      peak = Math.max(peak, sockets.size);
    });
    // The client's FIN ends a connection for the count; a stalled one is read, unanswered, so that its FIN is seen.
    socket.once('end', () => sockets.delete(socket));
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    accepted += 1;
    if (accepted > 1 && later === 'stall') {
      socket.resume();
      return;
    }
    const upstream = connect(upstreamPort, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    upstream.once('close', () => socket.destroy());
    socket.once('close', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
    if (accepted > 1) closeWhenIdle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const front: ConnectionFront = {
    host: `127.0.0.1:${port}`,
    peakOpen: () => peak,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
  fronts.push(front);
  return front;
}

function closeWhenIdle(socket: Socket): void {
  let timer: NodeJS.Timeout | undefined;
  const rearm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => socket.end(), IDLE_MS);
  };
  socket.on('data', rearm);
  socket.once('close', () => clearTimeout(timer));
  rearm();
}

/** The catalog's `registries` keys of the front's host, each with `common` settings. */
type CatalogKeys = (host: string, common: Record<string, unknown>) => Record<string, Record<string, unknown>>;

const oneKey: CatalogKeys = (host, common) => ({ [host]: { ...common, maxConcurrency: MAX_CONCURRENCY } });

/** The host's key sets its maxConcurrency; team/app matches a more specific key that sets none. */
const hostLimitOnOtherKey: CatalogKeys = (host, common) => ({
  [host]: { ...common, maxConcurrency: MAX_CONCURRENCY },
  [`${host}/team`]: common,
});

const TAGS = Array.from({ length: 12 }, (_, i) => `v${i + 1}`);
const MAX_CONCURRENCY = 3;

interface Scene {
  keys?: CatalogKeys;
  /** Whether the catalog also follows team/denied, whose every token request the token server refuses. */
  denied?: boolean;
}

/**
 * A bearer registry behind a front misbehaving as `later` says, whose token server (reached directly) takes a second
 * to answer: while it does, the client sets up the connections the 12 tags of team/app will need.
 */
async function registryBehindFront(later: LaterConnections, { keys = oneKey, denied = false }: Scene = {}) {
  const tokens = await start({
    tls: pki.server,
    routes: {
      '/token': async (request, response) => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const scopes = new URL(request.url ?? '/', 'https://tokens.invalid').searchParams.getAll('scope');
        if (scopes.some((scope) => scope.includes('team/denied'))) {
          return json(response, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'not for you' }] });
        }
        json(response, 200, { token: CANARY.bearerToken, access_token: CANARY.bearerToken, expires_in: 300 });
      },
    },
  });
  const registry = await start({ tls: pki.server, challenge: `Bearer realm="${tokens.origin}/token",service="front"` });
  const image = tinyImage('spares');
  registry.putManifest('team/app', TAGS, image.manifest, OCI_MANIFEST);
  registry.putBlob('team/app', image.config);
  const front = await startFront(Number(registry.host.split(':')[1]), later);

  const workspace = new Workspace('imagestreams-spare-connections-');
  writeFileSync(workspace.file('ca.pem'), pki.caPem);
  mkdirSync(workspace.file('secrets'));
  writeFileSync(join(workspace.dir, 'secrets', 'pull-secret.json'), canaryAuthFile([front.host, tokens.host]));
  const auth = { secret: 'secrets/pull-secret.json' };
  workspace.writeCatalog({
    registries: { ...keys(front.host, { ca: 'ca.pem', auth, requestTimeout: '3s' }), [tokens.host]: { ca: 'ca.pem' } },
    streams: {
      app: Object.fromEntries(TAGS.map((tag) => [tag, { from: `${front.host}/team/app:${tag}` }])),
      ...(denied && { denied: { v1: { from: `${front.host}/team/denied:v1` } } }),
    },
  });
  return { front, workspace };
}

describe('a registry that answers its ping, then misbehaves on the connections set up while the token is fetched', () => {
  it('stalling every later handshake: plan reads or fails each tag within maxConcurrency connections, and ends', async () => {
    const { front, workspace } = await registryBehindFront('stall');
    // runOnHostileInput stops a command after 30 s: an exit is the proof that no connection kept it alive.
    const outcome = await runOnHostileInput(['plan'], workspace.dir);
    const output = `${outcome.stdout}${outcome.stderr}`;
    expect(outcome.stoppedBy, output).toBe('exit');
    if (outcome.code !== 0) expectRefused(outcome, /cannot reach registry .*: connection timed out/);
    for (const tag of TAGS) expect(output).toMatch(new RegExp(`app:${tag}[: ]`));
    expect(output).not.toMatch(/internal error|\n {4}at /);
    expect(canariesIn(output)).toEqual([]);
    expectWithinMemory(outcome);
    expect(front.peakOpen()).toBeLessThanOrEqual(MAX_CONCURRENCY);
    tally({ attacks: 1 });
  });

  it('closing every connection left idle: plan and apply read every tag over connections they open instead', async () => {
    const { front, workspace } = await registryBehindFront('close when idle');
    for (const command of [['plan'], ['apply', '--auto-approve']]) {
      const outcome = await runOnHostileInput(command, workspace.dir);
      const output = `${outcome.stdout}${outcome.stderr}`;
      expect(outcome.stoppedBy, output).toBe('exit');
      expect(outcome.code, output).toBe(0);
      for (const tag of TAGS) expect(output).toContain(`app:${tag} `);
      expect(canariesIn(output)).toEqual([]);
      expectWithinMemory(outcome);
    }
    expect(front.peakOpen()).toBeLessThanOrEqual(MAX_CONCURRENCY);
    tally({ attacks: 1 });
  });

  it('under a catalog key that sets no maxConcurrency, beside one of the host that does: within the host limit', async () => {
    const { front, workspace } = await registryBehindFront('close when idle', { keys: hostLimitOnOtherKey });
    const outcome = await runOnHostileInput(['plan'], workspace.dir);
    const output = `${outcome.stdout}${outcome.stderr}`;
    expect(outcome.stoppedBy, output).toBe('exit');
    expect(outcome.code, output).toBe(0);
    for (const tag of TAGS) expect(output).toContain(`app:${tag} `);
    expect(front.peakOpen()).toBeLessThanOrEqual(MAX_CONCURRENCY);
    tally({ attacks: 1 });
  });

  it('refusing the token of one repository: the other reads every tag, within maxConcurrency, one tag at a time too', async () => {
    const { front, workspace } = await registryBehindFront('close when idle', { denied: true });
    for (const command of [['plan'], ['plan', '--concurrency', '1']]) {
      const outcome = await runOnHostileInput(command, workspace.dir);
      const output = `${outcome.stdout}${outcome.stderr}`;
      expect(outcome.stoppedBy, output).toBe('exit');
      expect(outcome.code, output).toBe(1);
      for (const tag of TAGS) expect(output).toContain(`app:${tag} `);
      expect(output).toMatch(/denied:v1/);
      expect(output).not.toMatch(/internal error|\n {4}at /);
      expect(canariesIn(output)).toEqual([]);
    }
    expect(front.peakOpen()).toBeLessThanOrEqual(MAX_CONCURRENCY);
    tally({ attacks: 1 });
  });
});
