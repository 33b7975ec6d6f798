import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REGISTRY_MODES } from './registry-mode.mjs';

const BUILT_CLI = fileURLToPath(new URL('../../dist/bin/imagestreams.js', import.meta.url));

export const USAGE = `usage: npm run bench -- [--tags N] [--json] [options]

  --tags N                  tags in the catalog and the registry (default 1000)
  --json                    print one JSON document on stdout instead of the table
  --tags-per-repository N   average tags per repository (default 50)
  --repeat N                runs of each imagestreams scenario; the median wall time is reported (default 3)
  --skopeo-sample N         tags the skopeo loops run over; wall time is extrapolated to all tags (default 100)
  --mirror-sample N         tags copied with skopeo copy --all (default 10; 0 skips it)
  --mirror-layer-mib LIST   mirror a tiny dataset (3 tags, 2 images of one layer each) once per layer size in MiB
                            and report each run's peak RSS (default 1,16,256; layers are generated on disk, ~1.6 GB;
                            none skips it)
  --rtt LIST                round-trip times in ms to run every scenario at (default 0,50): above 0, the registries
                            and token servers are reached through TCP proxies delaying data by RTT/2 each way and a
                            connection's first bytes by one RTT more (its handshake), as a registry across the internet
  --rtt-skopeo-sample N     tags the skopeo loops run over at rtt > 0 (default 20)
  --rtt-mirror-sample N     tags copied with skopeo copy --all at rtt > 0 (default 5; 0 skips it)
  --registry-mode MODE      how the source and local registries run (default token):
                              plain  plain HTTP, no auth; the catalog marks them insecure: true
                              token  TLS with a generated CA, verified (the catalog gives it as ca:, skopeo as
                                     --cert-dir), and token auth: a token server issuing RS256 JWTs, anonymous
                                     pulls refused, credentials in DOCKER_CONFIG/config.json (imagestreams) and
                                     --authfile (skopeo); requests per tag then include the token requests
  --rss-tags N              also push N tags (e.g. 10000) and report the peak RSS of their import and no-op plan,
                            one run each on loopback (about 3 minutes at 10,000 tags on 2 cores)
  --discover                also run the discover scenario (below; about 2 minutes at the default size on 2 cores,
                            80 s of it writing the tags)
  --discover-only           run only the discover scenario: a plain-HTTP registry of its own behind a paging front
                            (pages of up to 1,000 tags), streams following repositories with a semver policy and
                            keep: 3; the first plan, an apply and the no-op plan, counted, at two sizes
  --discover-streams N      streams (and repositories) of the discover scenario (default 100)
  --discover-tags N         tags per repository (default 2000)
  --discover-small-tags N   tags per repository at the second size, for peak RSS flat in the tags listed
                            (default 200; 0 skips it)
  --max-concurrency N       maxConcurrency of the catalog's registries, and the registry floor's requests in
                            flight (default: imagestreams' own default, 8); with IMAGESTREAMS_HTTP2=1 in the
                            environment, HTTP/2 carries them as streams of one connection
  --no-skopeo               measure imagestreams only
  --cli PATH                the imagestreams entry point to measure (default dist/bin/imagestreams.js)
  --keep                    keep the registry storage and catalog in the temporary directory
`;

const OPTIONS = {
  tags: { type: 'string', default: '1000' },
  json: { type: 'boolean', default: false },
  'tags-per-repository': { type: 'string', default: '50' },
  repeat: { type: 'string', default: '3' },
  'skopeo-sample': { type: 'string', default: '100' },
  'mirror-sample': { type: 'string', default: '10' },
  'mirror-layer-mib': { type: 'string', default: '1,16,256' },
  rtt: { type: 'string', default: '0,50' },
  'rtt-skopeo-sample': { type: 'string', default: '20' },
  'rtt-mirror-sample': { type: 'string', default: '5' },
  'registry-mode': { type: 'string', default: 'token' },
  'rss-tags': { type: 'string', default: '0' },
  'max-concurrency': { type: 'string' },
  'no-skopeo': { type: 'boolean', default: false },
  discover: { type: 'boolean', default: false },
  'discover-only': { type: 'boolean', default: false },
  'discover-streams': { type: 'string', default: '100' },
  'discover-tags': { type: 'string', default: '2000' },
  'discover-small-tags': { type: 'string', default: '200' },
  cli: { type: 'string', default: BUILT_CLI },
  keep: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

/** The bench's options from its command-line arguments; throws with the usage on a bad argument. */
export function benchOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: OPTIONS }));
  } catch (error) {
    throw new Error(`${error.message}\n\n${USAGE}`);
  }
  const tags = wholeNumber(values.tags, '--tags', 1);
  if (!REGISTRY_MODES.includes(values['registry-mode'])) {
    throw new Error(`--registry-mode expects one of ${REGISTRY_MODES.join(', ')}\n\n${USAGE}`);
  }
  return {
    help: values.help,
    tags,
    json: values.json,
    tagsPerRepository: wholeNumber(values['tags-per-repository'], '--tags-per-repository', 1),
    repeat: wholeNumber(values.repeat, '--repeat', 1),
    skopeoSample: Math.min(tags, wholeNumber(values['skopeo-sample'], '--skopeo-sample', 1)),
    mirrorSample: Math.min(tags, wholeNumber(values['mirror-sample'], '--mirror-sample', 0)),
    rttSkopeoSample: Math.min(tags, wholeNumber(values['rtt-skopeo-sample'], '--rtt-skopeo-sample', 1)),
    rttMirrorSample: Math.min(tags, wholeNumber(values['rtt-mirror-sample'], '--rtt-mirror-sample', 0)),
    rtts: roundTripTimes(values.rtt),
    rssTags: wholeNumber(values['rss-tags'], '--rss-tags', 0),
    mirrorLayerMib: layerSizes(values['mirror-layer-mib']),
    registryMode: values['registry-mode'],
    maxConcurrency:
      values['max-concurrency'] === undefined
        ? undefined
        : wholeNumber(values['max-concurrency'], '--max-concurrency', 1),
    skopeo: !values['no-skopeo'],
    discover: values.discover || values['discover-only'],
    discoverOnly: values['discover-only'],
    discoverStreams: wholeNumber(values['discover-streams'], '--discover-streams', 1),
    discoverTags: wholeNumber(values['discover-tags'], '--discover-tags', 1),
    discoverSmallTags: wholeNumber(values['discover-small-tags'], '--discover-small-tags', 0),
    cliPath: resolve(values.cli),
    keep: values.keep,
  };
}

function layerSizes(text) {
  if (text === '' || text === 'none') return [];
  return text.split(',').map((size) => wholeNumber(size.trim(), '--mirror-layer-mib', 1));
}

function roundTripTimes(text) {
  const rtts = text.split(',').map((ms) => wholeNumber(ms.trim(), '--rtt', 0));
  return [...new Set(rtts)];
}

function wholeNumber(text, flag, min) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} expects a whole number of at least ${min}\n\n${USAGE}`);
  return n;
}
