import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../helpers/workspace.js';
import { expectRefused, runOnHostileInput } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';
import { canariesIn, canaryAuthFile } from './support/secrets.js';

/** A "registry" that accepts TCP connections and never sends a byte: a TLS handshake that never completes. */
interface SilentRegistry {
  host: string;
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

const servers: SilentRegistry[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function startSilentRegistry(trickle: boolean): Promise<SilentRegistry> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    // A TLS handshake record announcing 16 KiB, then a byte of it every 500 ms: never a whole handshake.
    if (trickle) socket.write(Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]));
    const timer = trickle ? setInterval(() => socket.write(Buffer.from([0])), 500) : undefined;
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const silent: SilentRegistry = {
    host: `127.0.0.1:${port}`,
    connections: () => accepted,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(silent);
  return silent;
}

/** Three repositories of the silent registry, with credentials, each request due within 3 s. */
function workspaceFor(registry: SilentRegistry): Workspace {
  const workspace = new Workspace('imagestreams-secrets-silent-');
  mkdirSync(join(workspace.dir, 'secrets'), { recursive: true });
  writeFileSync(join(workspace.dir, 'secrets', 'pull-secret.json'), canaryAuthFile([registry.host]));
  const auth = { secret: 'secrets/pull-secret.json' };
  workspace.writeCatalog({
    registries: { [registry.host]: { requestTimeout: '3s', auth } },
    streams: Object.fromEntries(
      ['one', 'two', 'three'].map((name) => [name, { v1: { from: `${registry.host}/team/${name}:v1` } }]),
    ),
  });
  return workspace;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.each([
  ['never sends a byte', false],
  ['trickles a TLS handshake record, a byte every half second', true],
])('a registry that accepts connections and %s', (_name, trickle) => {
  it('fails plan and apply within the request deadline, connecting twice per run, writing nothing', async () => {
    const registry = await startSilentRegistry(trickle);
    const workspace = workspaceFor(registry);
    const before = treeSnapshot(workspace.dir);
    for (const command of [['plan'], ['apply', '--auto-approve']]) {
      const connectionsBefore = registry.connections();
      // runOnHostileInput stops a command after 30 s: an exit is the proof that the run ended well before.
      const outcome = await runOnHostileInput(command, workspace.dir);
      expectRefused(outcome, new RegExp(`cannot reach registry ${escaped(registry.host)}: connection timed out`));
      const output = `${outcome.stdout}${outcome.stderr}`;
      for (const name of ['one', 'two', 'three']) expect(output).toContain(`${name}:v1`);
      expect(canariesIn(output)).toEqual([]);
      // one connection and one retry for the whole registry, not five per repository
      expect(registry.connections() - connectionsBefore).toBe(2);
    }
    expect(treeSnapshot(workspace.dir)).toEqual(before);
    tally({ attacks: 1 });
  });
});
