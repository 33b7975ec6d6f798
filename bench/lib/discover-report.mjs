const mb = (kb) => (kb / 1024).toFixed(1);

function runLine(what, run) {
  const others = run.requests - run.pages - run.heads;
  return (
    `  ${what.padEnd(10)} ${run.wallSeconds.toFixed(2)} s, ${run.requests} requests ` +
    `(${run.pages} tag-list pages, ${run.heads} HEADs, ${others} others), peak RSS ${mb(run.peakRssKb)} MB`
  );
}

/** The discover scenario's lines of the readable report. */
export function discoverLines(discover) {
  if (!discover) return [];
  return [
    `discover: ${discover.streams} streams, each following a repository (semver policy, keep: 3); ${discover.paging};`,
    '  a plain-HTTP registry of its own on loopback, one run each:',
    ...discover.sizes.flatMap((size) => [
      ` ${discover.streams} × ${size.tags} tags (bound: 1.1 × (${size.bound.pages} pages + ${size.bound.heads} HEADs) = ${size.bound.limit}):`,
      runLine('first plan', size.firstPlan),
      runLine('no-op plan', size.noopPlan),
    ]),
    '',
  ];
}

/** The discover scenario as the JSON report holds it. */
export function jsonDiscover(discover) {
  const run = ({ byKind, ...rest }) => ({ ...rest, wallSeconds: Number(rest.wallSeconds.toFixed(3)), byKind });
  return {
    ...discover,
    sizes: discover.sizes.map((s) => ({ ...s, firstPlan: run(s.firstPlan), noopPlan: run(s.noopPlan) })),
  };
}
