import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readState, StateStore } from '../../src/state/index.js';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Records one tag per iteration, printing its index once `record` has returned (the import is then
 * durable), and commits every 10 records, until it is killed.
 */
const WRITER = `
import { StateStore } from './src/state/state-store.js';

const digest = (n) => 'sha256:' + n.toString(16).padStart(64, '0');
const store = await StateStore.open(process.argv[2]);
for (let i = 0; ; i++) {
  await store.record({
    op: 'setTag',
    stream: 'app',
    tag: 't' + i,
    value: {
      spec: { from: 'registry.example/app:t' + i, importMode: 'Legacy', referencePolicy: 'Source', scheduled: false, insecure: false, preferPlatform: null },
      items: [{
        created: '2026-01-01T00:00:00.000Z', generation: i, digest: digest(i), sourceDigest: digest(i),
        mediaType: 'application/vnd.oci.image.manifest.v1+json', dockerImageReference: 'registry.example/app@' + digest(i),
        manifests: [{ platform: 'linux/amd64', digest: digest(i), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: i }],
      }],
      conditions: [],
    },
  });
  process.stdout.write(i + '\\n');
  if (i % 10 === 9) await store.commit();
}
`;

let work: string;

/** Compiles src/core, src/files, src/state and the generated validators to JavaScript beside the writer script, so that plain node can run it. */
async function buildWriter(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'state-crash-'));
  for (const folder of ['src/core', 'src/files', 'src/state', 'src/generated']) {
    await mkdir(join(work, folder), { recursive: true });
    for (const file of await readdir(join(ROOT, folder))) {
      if (!file.endsWith('.ts')) continue;
      const source = await readFile(join(ROOT, folder, file), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      await writeFile(join(work, folder, file.replace(/\.ts$/, '.js')), outputText);
    }
  }
  await symlink(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  await writeFile(join(work, 'package.json'), '{"type": "module"}\n');
  await writeFile(join(work, 'writer.js'), WRITER);
}

/** Runs the writer until it has reported `count` durable records, then kills it with SIGKILL; returns the last index it reported. */
function killAfter(statePath: string, count: number): Promise<number> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(process.execPath, [join(work, 'writer.js'), statePath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stderr = '';
    let reported = -1;
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      const lines = output.split('\n');
      output = lines.pop()!;
      for (const line of lines) reported = Number(line);
      if (reported + 1 >= count) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') done(reported);
      else fail(new Error(`writer exited by itself: ${stderr}`));
    });
  });
}

beforeAll(buildWriter);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('a writer killed with SIGKILL', () => {
  it.each([7, 40, 133])('loses none of its first %i recorded imports', async (count) => {
    const statePath = join(work, `killed-after-${count}`, 'imagestreams.state.json');
    const last = await killAfter(statePath, count);
    expect(last).toBeGreaterThanOrEqual(count - 1);

    const onDisk = await readState(statePath);
    if (onDisk) expect(Object.keys(onDisk.streams.app!.tags).length).toBeLessThanOrEqual(last + 2);

    const store = await StateStore.open(statePath);
    const tags = store.state.streams.app!.tags;
    for (let i = 0; i <= last; i++) expect(tags[`t${i}`]?.items[0]?.generation).toBe(i);
    // The record in flight at the kill may or may not have been written.
    expect(Object.keys(tags).length).toBeLessThanOrEqual(last + 2);

    await store.commit();
    expect((await readState(statePath))!.streams).toEqual(store.state.streams);
  });
});
