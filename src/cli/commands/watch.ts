import { parseDuration } from '../../config/index.js';
import { UsageError } from '../../core/errors.js';
import {
  DEFAULT_IMPORTS_PER_MINUTE,
  MAX_TIMER_MS,
  prepareWatch,
  WatchMetrics,
  type WatchSummary,
} from '../../operations/watch.js';
import { unseenCatalogWarnings } from '../catalog-warnings.js';
import { loadCatalogOf, repositoryOptionsOf } from '../context.js';
import { EXIT_ERROR, EXIT_OK } from '../exit.js';
import { type MetricsServer, parseListenAddress, startMetricsServer } from '../metrics-server.js';
import type { Io } from '../output.js';
import { nodeProcess, type StopProcess } from '../stop-signals.js';
import { formatWatchEvent, type WatchLogEvent } from '../watch-log.js';

export interface WatchCommandOptions {
  file?: string;
  state?: string;
  authfile?: string;
  /** A duration (`90s`, `15m`, `1h30m`) for every tag, instead of their scheduleInterval. */
  interval?: string;
  once?: boolean;
  json?: boolean;
  metricsAddr?: string;
  importsPerMinute?: string;
  concurrency: number;
}

/**
 * `watch`: re-imports scheduled tags whose upstream moved, until SIGINT or SIGTERM (exit 0); with `--once`, one
 * pass that exits 0 only when every scheduled tag was checked and imported without error.
 */
export async function watchCommand(
  options: WatchCommandOptions,
  io: Io,
  host: Pick<StopProcess, 'onStopSignal' | 'exitSoon'> = nodeProcess,
): Promise<number> {
  const intervalMs = options.interval === undefined ? undefined : parseInterval(options.interval);
  const importsPerMinute = parseImportsPerMinute(options.importsPerMinute);
  if (options.metricsAddr !== undefined) parseListenAddress(options.metricsAddr);
  const log = (event: WatchLogEvent) => io.stderr.write(formatWatchEvent(event, Boolean(options.json)));
  const metrics = new WatchMetrics();
  const warned = new Set<string>();
  const { watch, discard } = await prepareWatch({
    loadCatalog: async () => {
      const catalog = await loadCatalogOf(options, io);
      for (const {
        location: { file, line, column },
        message,
      } of unseenCatalogWarnings(catalog, warned)) {
        log({ time: new Date().toISOString(), type: 'catalog-warning', file, line, column, message });
      }
      return catalog;
    },
    repositories: {
      ...repositoryOptionsOf(options, io),
      warn: (message) => log({ time: new Date().toISOString(), type: 'warning', message }),
    },
    once: Boolean(options.once),
    importsPerMinute,
    concurrency: options.concurrency,
    ...(intervalMs !== undefined && { intervalMs }),
    onEvent: (event) => {
      metrics.observe(event);
      log(event);
    },
  });
  let server: MetricsServer | undefined;
  if (options.metricsAddr !== undefined) {
    server = await startMetricsServer(options.metricsAddr, {
      metrics: () => metrics.render(watch.schedule()),
      healthy: () => !watch.stopping,
    }).catch(async (error: unknown) => {
      await discard();
      throw error;
    });
    log({ time: new Date().toISOString(), type: 'metrics-listening', url: server.url });
  }
  const unlisten = host.onStopSignal((signal) => watch.stop(signal));
  let summary: WatchSummary;
  try {
    summary = await watch.run();
  } finally {
    unlisten();
    await server?.close();
  }
  const code = options.once && !passSucceeded(summary) ? EXIT_ERROR : EXIT_OK;
  if (summary.abandoned > 0) host.exitSoon(code);
  return code;
}

function passSucceeded(summary: WatchSummary): boolean {
  return summary.failed === 0 && summary.abandoned === 0 && summary.unchecked === 0;
}

function parseInterval(text: string): number {
  const ms = parseDuration(text);
  if (ms <= 0) throw new UsageError(`invalid --interval ${JSON.stringify(text)}: it must be longer than 0`);
  if (ms > MAX_TIMER_MS) throw new UsageError(`invalid --interval ${JSON.stringify(text)}: at most 576h (24 days)`);
  return ms;
}

function parseImportsPerMinute(text: string | undefined): number {
  if (text === undefined) return DEFAULT_IMPORTS_PER_MINUTE;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new UsageError(`invalid --imports-per-minute ${JSON.stringify(text)}: expected a whole number (0: no limit)`);
  }
  return n;
}
