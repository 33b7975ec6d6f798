const round = (value, digits) => Number(value.toFixed(digits));

export function findRow(rows, tool, scenario) {
  return rows.find((r) => r.tool === tool && r.scenario === scenario);
}

/** met: true or false when this run can tell, null when it cannot (wrong tag count, skopeo not run). */
function target(name, value, limit, met, note) {
  return { name, value, limit, met, ...(note ? { note } : {}) };
}

/**
 * The targets with the measured values: those stated on loopback from the rtt 0 run, those stated at internet
 * latency from the rtt 50 run (each only when that run was made), and the mirror's by layer size.
 */
export function evaluateTargets({ runs, startup, rssAtScale, tags, layerRows = [], setup }) {
  const loopback = runs.find((run) => run.rtt === 0);
  const internet = runs.find((run) => run.rtt === INTERNET_RTT);
  return [
    ...(loopback ? loopbackTargets(loopback, tags, setup, nodeStart(startup)) : []),
    ...(internet ? internetTargets(internet, tags, setup) : []),
    rssTarget(rssAtScale ?? scaleOfRun(runs[0], tags)),
    ...(startup ? startupTargets(startup) : []),
    ...layerTargets(layerRows),
  ];
}

/** The peak RSS of a run's no-op plan and import, as `--rss-tags` reports them. */
function scaleOfRun(run, tags) {
  const noop = findRow(run.rows, 'imagestreams', 'noop-plan');
  const imported = findRow(run.rows, 'imagestreams', 'import');
  return { tags, noopPlan: noop, import: imported };
}

function rssTarget(scale) {
  const peakMb = Math.max(scale.noopPlan.peakRssKb, scale.import.peakRssKb) / 1024;
  const mb = (kb) => round(kb / 1024, 1);
  const measured = `at ${scale.tags} tags: no-op plan ${mb(scale.noopPlan.peakRssKb)} MB, import ${mb(scale.import.peakRssKb)} MB`;
  return target(
    'peak RSS of a no-op plan and an import at 10,000 tags: MB',
    round(peakMb, 1),
    '< 200',
    scale.tags >= 10_000 ? peakMb < 200 : null,
    scale.tags >= 10_000 ? measured : `${measured}; --rss-tags 10000 measures it`,
  );
}

/**
 * A 50-tag catalog's whole no-op plan within 0.2 s of `node -e 0`; and, what of that is imagestreams' own, within
 * 0.2 s of the bare client started for the same requests.
 */
function startupTargets(startup) {
  const seconds = (name) => startup.rows.find((r) => r.name === name).seconds;
  const [node, bare, plan] = [seconds('node'), seconds('bare-client'), seconds('noop-plan')];
  return [
    target(
      `${startup.tags}-tag no-op plan: seconds more than node -e 0`,
      round(plan - node, 3),
      '≤ 0.2',
      plan - node <= 0.2,
      `node -e 0 ${round(node, 3)} s, the plan ${round(plan, 3)} s, on loopback; the bare client sending the ` +
        `plan's requests takes ${round(bare - node, 3)} s more than node -e 0`,
    ),
    target(
      `${startup.tags}-tag no-op plan: seconds more than the bare client started for its requests`,
      round(plan - bare, 3),
      '≤ 0.2',
      plan - bare <= 0.2,
      `the bare client ${round(bare, 3)} s from spawn to exit, the plan ${round(plan, 3)} s`,
    ),
  ];
}

const INTERNET_RTT = 50;
const FLOOR_SHARE = 0.75;

/**
 * The targets of one run on loopback. `importBound` is the mean over the tags of 1 + children + configs, the
 * requests an import needs without re-fetching anything.
 */
function loopbackTargets({ rows, importBound, registryFloor }, tags, setup, nodeSeconds) {
  const noop = findRow(rows, 'imagestreams', 'noop-plan');
  const imported = findRow(rows, 'imagestreams', 'import');
  const skopeoNoop = findRow(rows, 'skopeo', 'noop-plan');
  const fast = noop.wallSeconds < 2;
  const speedup = skopeoNoop ? skopeoNoop.wallSeconds / noop.wallSeconds : null;
  const share = registryFloor.wallSeconds / noop.wallSeconds;
  return [
    noopRequestsTarget(noop, tags, setup),
    target(
      'rtt 0: no-op plan of 1,000 tags: wall seconds',
      round(noop.wallSeconds, 3),
      '< 2',
      tags === 1000 ? fast : tags > 1000 && fast ? true : null,
      tags === 1000 ? undefined : `measured at ${tags} tags`,
    ),
    target(
      'rtt 0: no-op plan vs the skopeo inspect loop: times faster',
      speedup === null ? null : round(speedup, 1),
      '≥ 20',
      speedup === null ? null : speedup >= 20,
      speedup === null ? undefined : floorNote(skopeoNoop, noop, registryFloor),
    ),
    target(
      "rtt 0: no-op plan's speed, % of the bare-client floor's",
      percentOf(registryFloor, noop),
      `≥ ${FLOOR_SHARE * 100}`,
      inTokenModeAt1000(tags, setup) ? share >= FLOOR_SHARE : null,
      `the floor ${round(registryFloor.wallSeconds, 3)} s, the plan ${round(noop.wallSeconds, 3)} s` +
        (inTokenModeAt1000(tags, setup) ? '' : '; stated for 1,000 tags in token mode') +
        `; the bare client started as a process of its own reaches ${percentOf(registryFloor, registryFloor.cold)} %` +
        budgetNote(registryFloor, nodeSeconds),
    ),
    coldFloorTarget(noop, registryFloor.cold, tags, setup),
    target(
      'import: requests per tag',
      round(imported.requestsPerTag, 3),
      `≤ ${round(importBound, 3)}, 1 + children + configs for this mix`,
      imported.requestsPerTag <= importBound,
      `over ${imported.counts.connections} connection(s)`,
    ),
    ...mirrorTargets(findRow(rows, 'imagestreams', 'mirror')),
  ];
}

const percentOf = (fast, slow) => Math.round((fast.wallSeconds / slow.wallSeconds) * 100);

/**
 * How much of the time the target leaves a plan beyond the floor goes on what the floor is spared and no plan
 * escapes: Node's start (`node -e 0`) and reading the catalog, before the first request can be asked.
 */
function budgetNote(floor, nodeSeconds) {
  if (!floor.catalogRead || nodeSeconds === undefined) return '';
  const budget = floor.wallSeconds / FLOOR_SHARE - floor.wallSeconds;
  const spent = nodeSeconds + floor.catalogRead.seconds;
  return (
    `; the target leaves a plan ${round(budget, 3)} s beyond the floor: node -e 0 (${round(nodeSeconds, 3)} s) and ` +
    `reading the catalog (${round(floor.catalogRead.seconds, 3)} s) take ${Math.round((spent / budget) * 100)} % ` +
    'of it, before an HTTP client is loaded or the state read'
  );
}

/** `node -e 0` as the start-up rows measured it. */
function nodeStart(startup) {
  return startup?.rows.find((r) => r.name === 'node')?.seconds;
}

/**
 * The floor's share measured as a command is: against the bare client started for the plan, from spawn to exit,
 * as the plan is. Its process pays Node's start and runs code not yet optimised, which no command escapes.
 */
function coldFloorTarget(noop, cold, tags, setup) {
  return target(
    "rtt 0: no-op plan's speed, % of the bare client's started as a process of its own",
    percentOf(cold, noop),
    `≥ ${FLOOR_SHARE * 100}`,
    inTokenModeAt1000(tags, setup) ? cold.wallSeconds / noop.wallSeconds >= FLOOR_SHARE : null,
    `the bare client ${round(cold.wallSeconds, 3)} s from spawn to exit, the plan ${round(noop.wallSeconds, 3)} s`,
  );
}

function inTokenModeAt1000(tags, setup) {
  return tags === 1000 && setup?.registryMode === 'token';
}

/** The targets stated at 50 ms, in token mode, for 1,000 tags: no-op plan ≤ 2.5 s and ≥ 50× skopeo, import ≤ 6 s. */
function internetTargets({ rows }, tags, setup) {
  const noop = findRow(rows, 'imagestreams', 'noop-plan');
  const imported = findRow(rows, 'imagestreams', 'import');
  const skopeoNoop = findRow(rows, 'skopeo', 'noop-plan');
  const applies = inTokenModeAt1000(tags, setup);
  const note = applies ? undefined : `measured at ${tags} tags in ${setup?.registryMode} mode`;
  const speedup = skopeoNoop ? skopeoNoop.wallSeconds / noop.wallSeconds : null;
  const skopeoNote = skopeoNoop?.extrapolatedFrom
    ? `skopeo extrapolated from ${skopeoNoop.extrapolatedFrom} tags`
    : undefined;
  return [
    target(
      `rtt ${INTERNET_RTT}: no-op plan of 1,000 tags: wall seconds`,
      round(noop.wallSeconds, 3),
      '≤ 2.5',
      applies ? noop.wallSeconds <= 2.5 : null,
      note,
    ),
    target(
      `rtt ${INTERNET_RTT}: no-op plan vs the skopeo inspect loop: times faster`,
      speedup === null ? null : round(speedup, 1),
      '≥ 50',
      applies && speedup !== null ? speedup >= 50 : null,
      [note, skopeoNote].filter(Boolean).join('; ') || undefined,
    ),
    target(
      `rtt ${INTERNET_RTT}: import of 1,000 tags: wall seconds`,
      round(imported.wallSeconds, 3),
      '≤ 6',
      applies ? imported.wallSeconds <= 6 : null,
      note,
    ),
  ];
}

/**
 * ≤ 1.05 requests per tag, plus one token per repository where the registry wants tokens (requestsPerTag counts
 * the tokens): met when the registry requests stay within 1.05 per tag and the tokens within one per repository.
 */
function noopRequestsTarget(noop, tags, setup) {
  if (setup?.registryMode !== 'token') {
    return target(
      'no-op plan: requests per tag (+1 token per repository; this registry has no auth)',
      round(noop.requestsPerTag, 3),
      '≤ 1.05',
      noop.requestsPerTag <= 1.05,
    );
  }
  const tokens = noop.counts.tokenRequests ?? 0;
  const registryRequests = noop.requests - tokens;
  const { repositories } = setup;
  return target(
    'no-op plan: requests per tag (+1 token per repository), tokens included',
    round(noop.requestsPerTag, 3),
    `≤ 1.05 + ${repositories} token(s) / ${tags} tags = ${round(1.05 + repositories / tags, 3)}`,
    registryRequests / tags <= 1.05 && tokens <= repositories,
    `${registryRequests} registry requests (${round(registryRequests / tags, 3)} per tag) + ${tokens} token(s) ` +
      `for ${repositories} repositor${repositories === 1 ? 'y' : 'ies'}`,
  );
}

/** What the registry allows: the ratio a client that cost nothing would reach, and how close imagestreams comes. */
function floorNote(skopeoNoop, noop, floor) {
  const bound = skopeoNoop.wallSeconds / floor.wallSeconds;
  return (
    `a bare client sending the same HEADs takes ${round(floor.wallSeconds, 3)} s, which would be ` +
    `${round(bound, 1)}×; imagestreams runs at ${percentOf(floor, noop)} % of that speed`
  );
}

/** Every `Local` tag copied, in every run. */
function mirrorTargets(mirror) {
  if (!mirror) return [];
  const failed = Math.max(0, ...(mirror.failures?.failedTagsPerRun ?? []));
  return [target('mirror: tags that failed to copy, most in one run', failed, '0', failed === 0)];
}

/**
 * Smallest layer size whose copy streams in steady state: below it a copy ends before Node has made (and not yet
 * collected) its usual ~30 MB of stream buffers, so its peak says nothing about how memory grows with blob size.
 */
const STEADY_STATE_MIB = 16;

/** Flat: from the first steady-state size to the largest, peak RSS grows by at most 10 %. */
function layerTargets(layerRows) {
  const sorted = [...layerRows].sort((a, b) => a.layerMib - b.layerMib);
  const steady = sorted.filter((r) => r.layerMib >= STEADY_STATE_MIB);
  if (steady.length < 2) return [];
  const small = steady[0];
  const large = steady[steady.length - 1];
  const growth = large.peakRssKb / small.peakRssKb - 1;
  const below = sorted.filter((r) => r.layerMib < STEADY_STATE_MIB);
  const mb = (row) => `${row.layerMib} MiB ${round(row.peakRssKb / 1024, 1)} MB`;
  return [
    target(
      `mirror: peak RSS growth from ${small.layerMib} MiB to ${large.layerMib} MiB layers, %`,
      round(growth * 100, 1),
      '≤ 10 (flat)',
      growth <= 0.1,
      [...below, ...steady].map(mb).join(' → '),
    ),
  ];
}

/**
 * The discover scenario's targets at its largest size: the no-op plan within 1.1 × (pages + one HEAD per kept tag)
 * requests, and its peak RSS flat in the number of tags listed (within 10% of that at the smaller size).
 */
export function discoverTargets(discover) {
  if (!discover) return [];
  const [large, small] = [...discover.sizes].sort((a, b) => b.tags - a.tags);
  const noop = large.noopPlan;
  const requests = target(
    `discover no-op plan, ${discover.streams} × ${large.tags} tags: requests`,
    noop.requests,
    `≤ ${large.bound.limit}`,
    noop.requests <= large.bound.limit,
    `${noop.pages} pages, ${noop.heads} HEADs, ${noop.requests - noop.pages - noop.heads} others`,
  );
  if (!small) return [requests];
  const ratio = noop.peakRssKb / small.noopPlan.peakRssKb;
  const rss = target(
    `discover no-op plan: peak RSS at ${large.tags} over ${small.tags} tags per repository`,
    round(ratio, 2),
    '≤ 1.1',
    ratio <= 1.1,
    `${round(noop.peakRssKb / 1024, 1)} MB and ${round(small.noopPlan.peakRssKb / 1024, 1)} MB`,
  );
  return [requests, rss];
}
