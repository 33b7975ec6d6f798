import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type HostileRegistry,
  type HostileRegistryOptions,
  json,
  manifestFor,
  OCI_MANIFEST,
  sha256,
  startHostileRegistry,
} from '../helpers/hostile-registry.js';
import { Workspace } from '../helpers/workspace.js';
import { expectRefused, runOnHostileInput } from './support/hostile.js';
import { tally } from './support/run-context.js';
import { CANARY, canariesIn, canaryAuthFile } from './support/secrets.js';

const servers: HostileRegistry[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const PAIR = `${CANARY.username}:${CANARY.password}`;
const base64 = (text: string) => Buffer.from(text).toString('base64');
const unicodeEscaped = (text: string) =>
  [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/** A plain-http registry behind Basic auth; the catalog gives it the canary credentials from a pull secret. */
async function start(answers: HostileRegistryOptions['answers']): Promise<HostileRegistry> {
  const registry = await startHostileRegistry({ challenge: 'Basic realm="echo"', answers });
  servers.push(registry);
  return registry;
}

function workspaceFor(registry: HostileRegistry, tags: string[]): Workspace {
  const workspace = new Workspace('imagestreams-secrets-encodings-');
  mkdirSync(join(workspace.dir, 'secrets'), { recursive: true });
  writeFileSync(join(workspace.dir, 'secrets', 'pull-secret.json'), canaryAuthFile([registry.host]));
  workspace.writeCatalog({
    registries: { [registry.host]: { insecure: true, auth: { secret: 'secrets/pull-secret.json' } } },
    streams: { app: Object.fromEntries(tags.map((tag) => [tag, { from: `${registry.host}/team/app:${tag}` }])) },
  });
  return workspace;
}

/** The state file's text; empty when the run wrote none (every tag failed before an import). */
function stateText(workspace: Workspace): string {
  return existsSync(workspace.statePath) ? readFileSync(workspace.statePath, 'utf8') : '';
}

/**
 * An image whose config holds the username:password pair the registry was sent, in a label written with Go's
 * escapes and in `Env` with every character escaped, as any JSON writer may: JSON.parse reads the pair back whole.
 */
function echoingImage(): { manifest: Buffer; config: Buffer } {
  const goEscaped = JSON.stringify(PAIR).replace(/-/g, '\\u002d').replace(/:/g, '\\u003a');
  const config = Buffer.from(
    `{"architecture":"amd64","os":"linux","config":{"Labels":{"org.example.echo":${goEscaped}},` +
      `"Env":["AUTH=${unicodeEscaped(PAIR)}"]},"rootfs":{"type":"layers","diff_ids":[]}}`,
  );
  expect(JSON.parse(config.toString()).config.Labels['org.example.echo']).toBe(PAIR);
  expect(canariesIn(config.toString())).toEqual([]);
  return { manifest: manifestFor(config), config };
}

describe('a registry that serves an image config holding the credentials it was sent, JSON-escaped', () => {
  it('has the image refused: nothing of it reaches the state, describe or show', async () => {
    const { manifest, config } = echoingImage();
    const registry = await start([]);
    registry.putManifest('team/app', ['v1'], manifest, OCI_MANIFEST);
    registry.putBlob('team/app', config);
    const workspace = workspaceFor(registry, ['v1']);

    const refused = /the registry's answer holds a credential that was sent to it; refused/;
    expectRefused(await runOnHostileInput(['apply', '--auto-approve'], workspace.dir), refused);
    for (const command of [
      ['describe', 'app:v1'],
      ['show', '--json'],
    ]) {
      const outcome = await runOnHostileInput(command, workspace.dir);
      expect(canariesIn(`${outcome.stdout}${outcome.stderr}`)).toEqual([]);
    }
    expect(canariesIn(stateText(workspace))).toEqual([]);
    expect(registry.requests.some((r) => r.path.endsWith(sha256(config)))).toBe(true);
    tally({ attacks: 1 });
  });
});

/** How a registry's error message may repeat the password: none of these can be cut out of it precisely. */
const ENCODINGS: Record<string, (password: string) => string> = {
  upper: (p) => p.toUpperCase(),
  hex: (p) => Buffer.from(p).toString('hex'),
  b64shift: (p) => base64(`user=${p}`),
  b64mime: () => base64(PAIR).replace(/(.{16})/g, '$1\n'),
  upperb64: () => `BASIC ${base64(PAIR).toUpperCase()}`,
  entities: (p) => [...p].map((c) => `&#${c.charCodeAt(0)};`).join(''),
  jsescaped: unicodeEscaped,
  lowerpct: (p) => [...Buffer.from(p)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
};

describe('a registry that repeats the password in its error messages, encoded', () => {
  it('has each message withheld whole, in plan and apply output and in the state', async () => {
    const registry = await start([
      {
        path: /\/manifests\//,
        answer: (request, response) => {
          const tag = request.url?.split('/').pop() ?? '';
          const said = ENCODINGS[tag]?.(CANARY.password) ?? '';
          json(response, 403, { errors: [{ code: 'DENIED', message: `denied ${tag}: ${said}` }] });
        },
      },
    ]);
    const tags = Object.keys(ENCODINGS);
    const workspace = workspaceFor(registry, tags);
    for (const command of [['plan'], ['apply', '--auto-approve']]) {
      const outcome = await runOnHostileInput(command, workspace.dir);
      const output = `${outcome.stdout}${outcome.stderr}`;
      expect(outcome.code, output).toBe(1);
      for (const [tag, encode] of Object.entries(ENCODINGS)) {
        expect(output).not.toContain(encode(CANARY.password).slice(0, 24));
        expect(output).toContain(`app:${tag}`);
      }
      const withheld = output.split("(the registry's message repeated a credential sent to it; not shown)");
      expect(withheld.length - 1, output).toBeGreaterThanOrEqual(tags.length);
    }
    const state = stateText(workspace);
    for (const encode of Object.values(ENCODINGS)) expect(state).not.toContain(encode(CANARY.password).slice(0, 24));
    tally({ attacks: 1 });
  });
});
