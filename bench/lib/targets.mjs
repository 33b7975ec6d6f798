const round = (value, digits) => Number(value.toFixed(digits));

export function findRow(rows, tool, scenario) {
  return rows.find((r) => r.tool === tool && r.scenario === scenario);
}

/** met: true or false when this run can tell, null when it cannot (wrong tag count, skopeo not run). */
function target(name, value, limit, met, note) {
  return { name, value, limit, met, ...(note ? { note } : {}) };
}

/**
 * The targets with the measured values. `importBound` is the mean over the tags of
 * 1 + children + configs, the requests an import needs without re-fetching anything.
 */
export function evaluateTargets(rows, tags, importBound, layerRows = [], registryFloor = undefined) {
  const noop = findRow(rows, 'imagestreams', 'noop-plan');
  const imported = findRow(rows, 'imagestreams', 'import');
  const skopeoNoop = findRow(rows, 'skopeo', 'noop-plan');
  const peakMb = Math.max(noop.peakRssKb, imported.peakRssKb) / 1024;
  const fast = noop.wallSeconds < 2;
  const speedup = skopeoNoop ? skopeoNoop.wallSeconds / noop.wallSeconds : null;
  return [
    target(
      'no-op plan: requests per tag (+1 token per repository; this registry has no auth)',
      round(noop.requestsPerTag, 3),
      '≤ 1.05',
      noop.requestsPerTag <= 1.05,
    ),
    target(
      'no-op plan of 1,000 tags: wall seconds',
      round(noop.wallSeconds, 3),
      '< 2',
      tags === 1000 ? fast : tags > 1000 && fast ? true : null,
      tags === 1000 ? undefined : `measured at ${tags} tags`,
    ),
    target(
      'no-op plan vs the skopeo inspect loop: times faster',
      speedup === null ? null : round(speedup, 1),
      '≥ 20',
      speedup === null ? null : speedup >= 20,
      speedup === null || !registryFloor ? undefined : floorNote(skopeoNoop, noop, registryFloor),
    ),
    target(
      'import: requests per tag',
      round(imported.requestsPerTag, 3),
      `≤ ${round(importBound, 3)}, 1 + children + configs for this mix`,
      imported.requestsPerTag <= importBound,
      `over ${imported.counts.connections} connection(s)`,
    ),
    target(
      'peak RSS at 10,000 tags: MB',
      round(peakMb, 1),
      '< 200',
      tags >= 10_000 ? peakMb < 200 : null,
      tags >= 10_000 ? undefined : `measured at ${tags} tags`,
    ),
    ...mirrorTargets(findRow(rows, 'imagestreams', 'mirror')),
    ...layerTargets(layerRows),
  ];
}

/** What the registry allows: the ratio a client that cost nothing would reach, and how close imagestreams comes. */
function floorNote(skopeoNoop, noop, floor) {
  const bound = skopeoNoop.wallSeconds / floor.wallSeconds;
  const share = floor.wallSeconds / noop.wallSeconds;
  return (
    `a bare client sending the same HEADs takes ${round(floor.wallSeconds, 3)} s, which would be ` +
    `${round(bound, 1)}×; imagestreams runs at ${Math.round(share * 100)} % of that speed`
  );
}

/** Every `Local` tag copied, in every run. */
function mirrorTargets(mirror) {
  if (!mirror) return [];
  const failed = Math.max(0, ...(mirror.failures?.failedTagsPerRun ?? []));
  return [target('mirror: tags that failed to copy, most in one run', failed, '0', failed === 0)];
}

/** Flat: the mirror with the largest layers peaks within 10 % of the one with the smallest. */
function layerTargets(layerRows) {
  if (layerRows.length < 2) return [];
  const sorted = [...layerRows].sort((a, b) => a.layerMib - b.layerMib);
  const small = sorted[0];
  const large = sorted[sorted.length - 1];
  const growth = large.peakRssKb / small.peakRssKb - 1;
  return [
    target(
      `mirror: peak RSS growth from ${small.layerMib} MiB to ${large.layerMib} MiB layers, %`,
      round(growth * 100, 1),
      '≤ 10 (flat)',
      growth <= 0.1,
      `${round(small.peakRssKb / 1024, 1)} MB → ${round(large.peakRssKb / 1024, 1)} MB`,
    ),
  ];
}
