import { join } from 'node:path';
import { measureCatalogRead } from './catalog-read.mjs';
import { idealImportRequests } from './dataset.mjs';
import { catalogFor, measureImagestreams } from './imagestreams-scenarios.mjs';
import { measureRegistryFloor } from './registry-floor.mjs';
import { measureSkopeo } from './skopeo-scenarios.mjs';

/**
 * Where timed runs reach a registry at `rtt` ms: straight at 0 (as the loopback figures always were), through its
 * delay proxy otherwise.
 */
function reach(registry, rtt) {
  return rtt > 0 ? { host: registry.delayed.host, port: registry.delayed.port } : registry;
}

/**
 * Counts the TCP connections timed runs open: to the registries (their delay proxies; at rtt 0 nothing counts
 * them, the counted run's proxy does) and to the token servers (their delay proxies, at every rtt).
 */
function connectionCounter(registries, rtt) {
  const pair = [registries.source, registries.local];
  const registryProxies = rtt > 0 ? pair.map((r) => r.delayed) : [];
  const tokenProxies = pair.map((r) => r.tokenProxy).filter(Boolean);
  const sum = (proxies) => proxies.reduce((n, proxy) => n + proxy.connections(), 0);
  return {
    reset: () => {
      for (const proxy of [...registryProxies, ...tokenProxies]) proxy.reset();
    },
    read: () => ({
      ...(rtt > 0 ? { registry: sum(registryProxies) } : {}),
      ...(tokenProxies.length > 0 ? { token: sum(tokenProxies) } : {}),
    }),
  };
}

/**
 * Every scenario with the registries and token servers `rtt` ms away: the imagestreams rows, the registry floor
 * (on loopback with what reading the catalog costs) and the skopeo rows (over `--rtt-skopeo-sample` tags when
 * rtt > 0), each row carrying `rtt`.
 */
export async function benchAtRtt(base, rtt, dir, log) {
  const { registries, dataset } = base;
  registries.source.setRtt(rtt);
  registries.local.setRtt(rtt);
  const source = reach(registries.source, rtt);
  const local = reach(registries.local, rtt);
  const counted = base.proxy.host;
  base.countedDelayed.setRtt(rtt);
  log(`rtt ${rtt} ms: ${rtt > 0 ? `registries and token servers ${rtt} ms away through delay proxies` : 'loopback'}`);
  const ctx = {
    ...base,
    rtt,
    skopeoSample: rtt > 0 ? base.rttSkopeoSample : base.skopeoSample,
    mirrorSample: rtt > 0 ? base.rttMirrorSample : base.mirrorSample,
    connectionsOfTimedRuns: connectionCounter(registries, rtt),
    direct: {
      host: source.host,
      catalog: catalogFor(dataset, source.host, join(dir, 'direct'), base.registrySettings),
    },
    counted: { host: counted, catalog: catalogFor(dataset, counted, join(dir, 'counted'), base.registrySettings) },
    skopeoMirror:
      rtt > 0
        ? { host: base.countedDelayed.host, namespace: `mirror-rtt${rtt}`, delayProxy: base.countedDelayed }
        : { host: counted, namespace: 'mirror' },
    mirror: {
      dir: join(dir, 'mirror'),
      direct: { source: source.host, local: local.host },
      counted: { source: counted, local: base.proxies[1].proxy.host },
    },
  };
  const rows = await measureImagestreams(ctx, log);
  log(`registry floor: ${base.tags} conditional HEADs from a bare client, ${base.repeat} run(s)`);
  const registryFloor = await measureRegistryFloor(
    { ...registries.source, ...source },
    dataset,
    base.repeat,
    base.maxConcurrency,
  );
  if (rtt === 0) {
    log(`reading the catalog: imagestreams validate and --version, ${Math.max(base.repeat, 5)} run(s) each`);
    registryFloor.catalogRead = await measureCatalogRead(ctx, ctx.direct.catalog, Math.max(base.repeat, 5));
  }
  if (base.skopeo) rows.push(...(await measureSkopeo(ctx, log)));
  const importBound = dataset.tags.reduce((sum, tag) => sum + idealImportRequests(tag), 0) / base.tags;
  return { rtt, rows: rows.map((row) => ({ ...row, rtt })), registryFloor: { rtt, ...registryFloor }, importBound };
}
