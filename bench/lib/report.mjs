import { discoverLines, jsonDiscover } from './discover-report.mjs';
import { findRow } from './targets.mjs';

const SCENARIOS = ['noop-plan', 'import', 'mirror'];

/** Scenarios of the design that this build cannot run yet; listed in both outputs, never given numbers. */
export const NOT_MEASURED = [];

const SKOPEO_WORK = {
  'noop-plan': 'skopeo inspect --raw per tag',
  import: 'inspect --raw, then inspect --raw --config per recorded image',
  mirror: 'skopeo copy --all per tag',
};

const round = (value, digits) => Number(value.toFixed(digits));

/**
 * TCP connections to the registries: those the timed run opened where the delay proxies counted them (rtt > 0),
 * else those of the counted run.
 */
function connectionsOf(row) {
  return row.timedConnections?.registry ?? row.counts.connections;
}

/** A result row as the JSON document carries it: the contract's fields first, then details. */
function jsonRow(row) {
  const out = {
    tool: row.tool,
    scenario: row.scenario,
    rtt: row.rtt,
    wallSeconds: round(row.wallSeconds, 3),
    requestsPerTag: round(row.requestsPerTag, 3),
    peakRssMb: round(row.peakRssKb / 1024, 1),
    requests: row.requests,
    connections: connectionsOf(row),
    ...(row.timedConnections?.token !== undefined ? { tokenConnections: row.timedConnections.token } : {}),
    requestsByKind: row.counts.byKind,
  };
  if (row.wallSecondsRuns) out.wallSecondsRuns = row.wallSecondsRuns.map((s) => round(s, 3));
  if (row.extrapolatedFrom) out.extrapolatedFrom = row.extrapolatedFrom;
  if (row.measuredWallSeconds !== undefined) out.measuredWallSeconds = round(row.measuredWallSeconds, 3);
  if (row.processes) out.processes = row.processes;
  if (row.failures) out.failures = row.failures;
  return out;
}

function jsonScale({ tags, noopPlan, import: imported }) {
  const figures = (run) => ({ wallSeconds: round(run.wallSeconds, 3), peakRssMb: round(run.peakRssKb / 1024, 1) });
  return { tags, noopPlan: figures(noopPlan), import: figures(imported) };
}

function jsonLayerRow({ peakRssKb, wallSeconds, ...row }) {
  return { ...row, wallSeconds: round(wallSeconds, 3), peakRssMb: round(peakRssKb / 1024, 1) };
}

/**
 * The bench's JSON document: the contract's `tags` and `results`, then what was not measured, the mirror runs by
 * layer size (if asked for), targets, setup.
 */
export function jsonReport(report) {
  const { tags, runs, startup, rssAtScale, layerRows, discover, targets, setup, machine, benchSeconds } = report;
  return {
    tags,
    results: runs.flatMap((run) => run.rows.map(jsonRow)),
    notMeasured: NOT_MEASURED,
    startup: {
      tags: startup.tags,
      rows: startup.rows.map((r) => ({
        ...r,
        seconds: round(r.seconds, 3),
        secondsRuns: r.secondsRuns.map((x) => round(x, 3)),
      })),
    },
    ...(rssAtScale ? { rssAtScale: jsonScale(rssAtScale) } : {}),
    ...(layerRows.length > 0 ? { mirrorLayers: layerRows.map(jsonLayerRow) } : {}),
    ...(discover ? { discover: jsonDiscover(discover) } : {}),
    registryFloor: runs.map((run) => run.registryFloor),
    targets,
    setup,
    machine,
    benchSeconds,
  };
}

const fixed = (value, digits) => value.toFixed(digits);
const pad = (text, width) => String(text).padEnd(width);
const padLeft = (text, width) => String(text).padStart(width);

function ratio(skopeo, imagestreams) {
  if (!skopeo || !imagestreams) return '';
  const wall = skopeo.wallSeconds / imagestreams.wallSeconds;
  const requests = skopeo.requestsPerTag / imagestreams.requestsPerTag;
  return `${fixed(wall, 1)}× the wall time, ${fixed(requests, 2)}× the requests`;
}

function columns(scenario, tool, wall, requests, connections, rss, note) {
  return (
    `${pad(scenario, 10)} ${pad(tool, 13)} ${padLeft(wall, 9)} ${padLeft(requests, 8)} ${padLeft(connections, 6)} ` +
    `${padLeft(rss, 12)}   ${note}`
  );
}

function tableLine(row, note) {
  const wall = `${fixed(row.wallSeconds, 2)}${row.extrapolatedFrom ? '*' : ' '}`;
  const rss = fixed(row.peakRssKb / 1024, 1);
  return columns(row.scenario, row.tool, wall, fixed(row.requestsPerTag, 2), connectionsOf(row), rss, note);
}

function table(rows) {
  const lines = [columns('scenario', 'tool', 'wall s ', 'req/tag', 'conns', 'peak RSS MB', 'skopeo vs imagestreams')];
  for (const scenario of SCENARIOS) {
    const ours = findRow(rows, 'imagestreams', scenario);
    const theirs = findRow(rows, 'skopeo', scenario);
    const missing = NOT_MEASURED.find((m) => m.tool === 'imagestreams' && m.scenario === scenario);
    if (ours) lines.push(tableLine(ours, ratio(theirs, ours)));
    else if (missing)
      lines.push(columns(scenario, 'imagestreams', '— ', '—', '—', '—', `not measured: ${missing.reason}`));
    if (theirs) lines.push(tableLine(theirs, SKOPEO_WORK[scenario]));
  }
  return lines;
}

function footnotes(rows, tags, repeat, registryMode, rtt) {
  const lines = [];
  const sampled = rows.filter((r) => r.extrapolatedFrom);
  if (sampled.length > 0) {
    const samples = sampled.map((r) => `${r.scenario}: ${r.extrapolatedFrom} tag(s)`).join(', ');
    lines.push(
      `* extrapolated linearly to ${tags} tags from a sequential loop over an evenly spread sample (${samples});`,
      '  requests per tag and peak RSS are measured on the sample.',
    );
  }
  const runs = rows
    .filter((r) => r.wallSecondsRuns)
    .map((r) => `${r.scenario} ${r.wallSecondsRuns.map((s) => fixed(s, 2)).join(', ')} s`);
  lines.push(
    `Wall time and peak RSS come from runs ${rtt > 0 ? 'through the delay proxies' : 'straight against the registry'}; ` +
      'requests from the same work repeated',
    registryMode === 'token'
      ? '  through a TLS-terminating counting proxy, tokens counted at the token servers (skopeo copy: one run,' +
          ` through the proxy${rtt > 0 ? ', behind a delay proxy' : ''}).`
      : `  through a counting proxy (skopeo copy: one run, through the proxy${rtt > 0 ? ', behind a delay proxy' : ''}).`,
    `imagestreams: median of ${repeat} run(s) of the whole CLI process (${runs.join('; ')}), highest peak RSS.`,
    'skopeo: peak RSS sampled from /proc every 5 ms over its processes.',
  );
  return lines;
}

function breakdown(row) {
  const kinds = Object.entries(row.counts.byKind)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const connections = `${row.counts.connections} connection(s)`;
  const probes = row.counts.nonHttpConnections
    ? ` (${row.counts.nonHttpConnections} opened for a TLS handshake first)`
    : '';
  const line = `  ${pad(`${row.tool} ${row.scenario}`, 24)} ${kinds}; ${connections}${probes}`;
  if (!row.failures) return line;
  const { failedTagsPerRun, first } = row.failures;
  return `${line}\n    FAILED tags per run (timed…, counted): ${failedTagsPerRun.join(', ')}; first: ${JSON.stringify(first)}`;
}

function layerLines(layerRows) {
  if (layerRows.length === 0) return [];
  return [
    'mirror by layer size (3 Local tags, 2 distinct single-layer images, one run each, straight):',
    ...layerRows.map(
      (r) =>
        `  ${padLeft(r.layerMib, 5)} MiB layers: ${fixed(r.wallSeconds, 2)} s, peak RSS ${fixed(r.peakRssKb / 1024, 1)} MB, ` +
        `${fixed(r.bytesCopied / 2 ** 20, 0)} MiB of layers copied`,
    ),
    '',
  ];
}

function floorLines(floor) {
  const runs = floor.wallSecondsRuns.map((s) => fixed(s, 3)).join(', ');
  const answers = Object.entries(floor.statuses)
    .map(([status, n]) => `${n} × ${status}`)
    .join(', ');
  const plural = floor.tokenRequests === 1 ? '' : 's';
  const tokens = floor.tokenRequests === undefined ? '' : ` and ${floor.tokenRequests} pull token${plural}`;
  const over = floor.tokenRequests === undefined ? '' : 'TLS ';
  const coldRuns = floor.cold.wallSecondsRuns.map((s) => fixed(s, 3)).join(', ');
  return [
    `registry floor: the no-op plan's ${floor.requests} conditional HEADs${tokens} from a bare client over ` +
      `${floor.connections} ${over}connections: ${fixed(floor.wallSeconds, 3)} s (runs ${runs}; answers ${answers})`,
    `  the same client as a process of its own, from spawn to exit: ${fixed(floor.cold.wallSeconds, 3)} s ` +
      `(runs ${coldRuns})`,
    ...(floor.catalogRead ? [catalogReadLine(floor.catalogRead)] : []),
    '',
  ];
}

function catalogReadLine(read) {
  const runs = (xs) => xs.map((s) => fixed(s, 3)).join(', ');
  return (
    `  reading the plan's catalog, cold: ${fixed(read.seconds, 3)} s (imagestreams validate ` +
    `${runs(read.validateSecondsRuns)} s less --version ${runs(read.versionSecondsRuns)} s)`
  );
}

function targetLine(target) {
  const mark = target.met === null ? '–' : target.met ? '✓' : '✗';
  const value = target.value === null ? 'not measured' : target.value;
  return `  ${mark} ${target.name}: ${value} (target ${target.limit}${target.note ? `; ${target.note}` : ''})`;
}

/** How the header describes each `--registry-mode`'s registries. */
const REGISTRY_WORDS = {
  plain: 'plain HTTP on 127.0.0.1, filesystem storage',
  token:
    'TLS (generated CA, verified) and token auth (RS256 JWTs from a token server over TLS, anonymous pulls ' +
    'refused) on 127.0.0.1, filesystem storage',
};

function clientWords(setup) {
  const inFlight =
    setup.maxConcurrency === null ? 'maxConcurrency 8 (the default)' : `maxConcurrency ${setup.maxConcurrency}`;
  const protocol = setup.http2 ? 'HTTP/2 offered (IMAGESTREAMS_HTTP2=1)' : 'HTTP/1.1';
  return `imagestreams: ${inFlight} per registry, ${protocol}`;
}

function header(tags, setup, machine) {
  const load = machine.loadAverage;
  return [
    `imagestreams bench: ${tags} tags in ${setup.repositories} repositories (${setup.distinctImages} distinct images; ` +
      `${setup.multiArchTags} multi-arch tags, ${setup.preserveOriginalTags} PreserveOriginal, ${setup.scheduledTags} scheduled)`,
    `registry (--registry-mode ${setup.registryMode}): ${machine.registry}, ${REGISTRY_WORDS[setup.registryMode]}`,
    clientWords(setup),
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}, ` +
      `skopeo ${machine.skopeo}; load average ${load.start} at start, ${load.end} at end`,
    ...(machine.nodeExtraCaCerts === undefined
      ? []
      : [
          `NODE_EXTRA_CA_CERTS names ${machine.nodeExtraCaCerts} certificates: every Node process here, node -e 0 ` +
            'included, parses them as it starts',
        ]),
  ];
}

/** How the rows of one run got their connections (see connectionsOf). */
function connectionWords(rtt, registryMode) {
  const tokens = registryMode === 'token' ? '; token servers: tokens column below' : '';
  return rtt > 0
    ? `conns: TCP connections to the registries the timed run opened, counted by the delay proxies${tokens}.`
    : `conns: TCP connections to the registries in the counted run${tokens}.`;
}

function tokenConnectionLines(rows) {
  const counted = rows.filter((r) => r.timedConnections?.token !== undefined);
  if (counted.length === 0) return [];
  return [
    `token-server connections of the timed runs: ${counted
      .map((r) => `${r.tool} ${r.scenario} ${r.timedConnections.token}`)
      .join(', ')}`,
  ];
}

function runSection(run, tags, options, setup) {
  const where =
    run.rtt > 0
      ? `the registries and token servers ${run.rtt} ms away (TCP delay proxies: RTT/2 each way, +1 RTT per connection)`
      : setup.registryMode === 'token'
        ? 'the registries straight on loopback (token servers through a delay proxy set to 0)'
        : 'the registries straight on loopback';
  return [
    `── rtt ${run.rtt} ms: ${where}`,
    '',
    ...table(run.rows),
    '',
    ...footnotes(run.rows, tags, options.repeat, setup.registryMode, run.rtt),
    connectionWords(run.rtt, setup.registryMode),
    ...tokenConnectionLines(run.rows),
    '',
    setup.registryMode === 'token' ? 'requests seen by the proxies and token servers:' : 'requests seen by the proxy:',
    ...run.rows.map(breakdown),
    '',
    ...floorLines(run.registryFloor),
  ];
}

/** The readable report: setup, then per rtt the side-by-side table with ratios and request breakdown; targets. */
function startupLines(startup) {
  return [
    `start-up on loopback (median of ${startup.rows[0].secondsRuns.length} runs each):`,
    ...startup.rows.map(
      (r) =>
        `  ${padLeft(fixed(r.seconds, 3), 7)} s  ${r.what} (runs ${r.secondsRuns.map((s) => fixed(s, 3)).join(', ')})`,
    ),
    '',
  ];
}

function scaleLines(scale) {
  if (!scale) return [];
  const line = (what, run) =>
    `  ${pad(what, 10)} ${fixed(run.wallSeconds, 2)} s, peak RSS ${fixed(run.peakRssKb / 1024, 1)} MB`;
  return [
    `at ${scale.tags} tags on loopback (--rss-tags, one run each):`,
    line('import', scale.import),
    line('no-op plan', scale.noopPlan),
    '',
  ];
}

export function textReport({
  tags,
  runs,
  startup,
  rssAtScale,
  layerRows,
  discover,
  targets,
  setup,
  machine,
  options,
  benchSeconds,
}) {
  return [
    '',
    ...header(tags, setup, machine),
    '',
    ...startupLines(startup),
    ...runs.flatMap((run) => runSection(run, tags, options, setup)),
    ...layerLines(layerRows),
    ...scaleLines(rssAtScale),
    ...discoverLines(discover),
    ...closingLines(targets, 'the whole bench', benchSeconds),
  ].join('\n');
}

/** The targets, then how long `what` took. */
export function closingLines(targets, what, seconds) {
  return ['targets:', ...targets.map(targetLine), '', `${what} took ${seconds} s (setup included)`, ''];
}
