import { runChecked } from './imagestreams-scenarios.mjs';
import { median, runCli } from './measure.mjs';

/**
 * What reading the no-op plan's catalog costs a command, cold: `imagestreams validate` of it (which loads and
 * checks the catalog and does nothing else) less `imagestreams --version`, each the median of `repeat` runs. A plan
 * pays at least this besides what the bare client pays, which bounds how close to the floor any plan can come.
 */
export async function measureCatalogRead(ctx, catalog, repeat) {
  const validate = [];
  const version = [];
  for (let i = 0; i < repeat; i++) {
    validate.push((await runChecked(ctx, catalog, ['validate'])).wallSeconds);
    const run = await runCli(ctx.cliPath, ['--version'], {
      env: ctx.env,
      cwd: catalog.dir,
      scratchDir: ctx.scratchDir,
    });
    if (run.code !== 0) throw new Error(`imagestreams --version exited with ${run.code}: ${run.stderr}`);
    version.push(run.wallSeconds);
  }
  return {
    seconds: Math.max(0, median(validate) - median(version)),
    validateSecondsRuns: validate,
    versionSecondsRuns: version,
  };
}
