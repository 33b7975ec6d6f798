import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onePass } from './bare-client.mjs';
import { median, runMeasured } from './measure.mjs';

export const BARE_CLIENT = fileURLToPath(new URL('./bare-client.mjs', import.meta.url));

/** imagestreams' default maxConcurrency. */
const DEFAULT_IN_FLIGHT = 8;

/** What the bare client needs of a bench registry, and the no-op plan's tags. */
export function bareJob(registry, dataset, inFlight = DEFAULT_IN_FLIGHT) {
  const { auth } = registry;
  return {
    registry: {
      scheme: registry.scheme,
      host: registry.host,
      ...(registry.ca && { caPem: registry.ca.caPem }),
      ...(auth && {
        auth: { realm: auth.realm, service: auth.service, username: auth.username, password: auth.password },
      }),
    },
    tags: dataset.tags.map((tag) => ({ repository: tag.repo.name, tag: tag.name, digest: tag.image.top.digest })),
    inFlight,
  };
}

/**
 * The bare client as a process of its own, `repeat` times: seconds from spawn to exit, as a command's wall time
 * is measured. It pays what any client started for one plan pays (Node's start, loading undici, code not yet
 * optimised), and nothing of imagestreams' own work.
 */
export async function measureColdBareClient(registry, dataset, repeat, inFlight = DEFAULT_IN_FLIGHT) {
  const dir = mkdtempSync(join(tmpdir(), 'imagestreams-bench-bare-'));
  try {
    const jobFile = join(dir, 'job.json');
    writeFileSync(jobFile, JSON.stringify(bareJob(registry, dataset, inFlight)), { mode: 0o600 });
    const walls = [];
    for (let i = 0; i < repeat; i++) {
      const run = await runMeasured(process.execPath, [BARE_CLIENT, jobFile]);
      if (run.code !== 0) throw new Error(`the bare client exited with ${run.code}: ${run.stderr}`);
      walls.push(run.wallSeconds);
    }
    return { wallSeconds: median(walls), wallSecondsRuns: walls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * How fast the registry answers a no-op plan's requests whatever the client: the same conditional HEADs (and,
 * with token auth, a token per 16 repositories, as imagestreams asks), sent from the bench process over as many keep-alive connections as
 * imagestreams uses, with nothing else to do. No client plans faster here, so this bounds how many times faster
 * than the skopeo loop a no-op plan can be. `cold` is the same client started as a process of its own.
 */
export async function measureRegistryFloor(registry, dataset, repeat, inFlight = DEFAULT_IN_FLIGHT) {
  const job = bareJob(registry, dataset, inFlight);
  const runs = [];
  for (let i = 0; i < repeat; i++) runs.push(await onePass(job.registry, job.tags, inFlight));
  return {
    requests: dataset.tags.length,
    ...(registry.auth ? { tokenRequests: runs[0].tokens } : {}),
    connections: inFlight,
    wallSeconds: median(runs.map((r) => r.wallSeconds)),
    wallSecondsRuns: runs.map((r) => r.wallSeconds),
    statuses: runs[0].statuses,
    cold: await measureColdBareClient(registry, dataset, repeat, inFlight),
  };
}
