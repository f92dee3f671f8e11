import {
  type Config,
  DataLayout,
  DEFAULT_HEALTH,
  healthLine,
  loadConfig,
  MjolnirError,
  readKillSwitch,
  realScheduler,
  systemClock,
} from '@mjolnir/lib';
import type { Logger, LoopMetrics, PaperOutcome, StatusServer } from '@mjolnir/lib/live';
import type { Lake } from '@mjolnir/lib/store';
import { type Command, InvalidArgumentError } from 'commander';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { createLogger } from '../logger.js';
import { dataRoot, envOption, graceOption, portOption } from '../options.js';
import { configOption } from './backtest.js';

/** HTTP_PORT: a port, 0 for any free one, or `off`. */
function httpPortOption(value: string): number | 'off' {
  if (/^(off|none|false)$/i.test(value.trim())) return 'off';
  try {
    return portOption(value);
  } catch {
    // Not a port: the option's own message says what is expected.
    throw new InvalidArgumentError(`expected a port 0-65535 or "off", got "${value}"`);
  }
}

interface PaperCliOptions {
  config: string;
  dataRoot?: string;
  httpPort: number | 'off';
  httpHost: string;
  grace: number;
}

/**
 * The process's one health evaluation (every couple of seconds, from the files and the loops' own venue
 * clocks) and `/livez`, `/health`, `/metrics` reading it, before the loop starts (a busy port stops it
 * here). A verdict that changes is logged.
 */
async function serveStatus(
  config: Config,
  root: string,
  options: PaperCliOptions,
  metrics: LoopMetrics,
  log: Logger,
) {
  const [{ HealthMonitor, startStatusServer }, { Lake }] = await Promise.all([
    import('@mjolnir/lib/live'),
    import('@mjolnir/lib/store'),
  ]);
  const lake = await Lake.open(root);
  const monitor = new HealthMonitor({
    root,
    config,
    lake,
    clock: systemClock,
    options: { ...DEFAULT_HEALTH, graceBars: options.grace },
    probe: (stream) => metrics.probe(stream),
    onVerdict: (kept, previous) => {
      if (previous?.report.status === kept.report.status) return;
      const line = healthLine(kept.report);
      (kept.report.status === 'FAIL' ? log.warn : log.info).call(log, { health: line }, 'Health verdict');
    },
  });
  metrics.healthFrom(
    () => monitor.verdict,
    () => systemClock.now(),
  );
  try {
    const server =
      options.httpPort === 'off'
        ? null
        : await startStatusServer(
            { registry: metrics.registry, health: () => monitor.verdict, wallNow: () => systemClock.now() },
            { host: options.httpHost, port: options.httpPort },
          );
    return { server, lake, monitor };
  } catch (error) {
    lake.close();
    throw error;
  }
}

function exitCodeOf(outcome: PaperOutcome): number {
  const categories = outcome.failed.map((f) =>
    f.error instanceof MjolnirError ? f.error.category : 'invariant',
  );
  if (categories.length === 0) return EXIT.ok;
  if (categories.includes('invariant')) return EXIT.bug;
  return categories.includes('operator') ? EXIT.usage : EXIT.failed;
}

/** What `paper` does (its options parsed by commander). */
async function paperCommand(options: PaperCliOptions, io: CliIo): Promise<void> {
  const config = loadConfig(options.config, io.env);
  const root = dataRoot(options.dataRoot, io.env);
  const log = createLogger(io);
  // The loop's modules (ccxt, DuckDB, prom-client) load for this command only.
  const { LoopMetrics, runPaper } = await import('@mjolnir/lib/live');
  const metrics = new LoopMetrics(() => readKillSwitch(new DataLayout(root).killSwitch()));
  const status = await serveStatus(config, root, options, metrics, log);
  const signal = io.shutdown((received, repeated) =>
    repeated
      ? log.warn({ signal: received }, 'Shutdown already in progress (SIGKILL forces it)')
      : log.info({ signal: received }, 'Shutdown requested: finishing the iteration in flight'),
  );
  let outcome: PaperOutcome;
  // Judging stops with the loop, however the loop ends (a signal, or every stream stopped).
  const judged = new AbortController();
  signal.addEventListener('abort', () => judged.abort(), { once: true });
  const judging = status.monitor.run(realScheduler, judged.signal, (error) =>
    log.warn({ error: error.message }, 'Health evaluation failed; retried at the next'),
  );
  try {
    outcome = await runPaper({
      config,
      dataRoot: root,
      clock: systemClock,
      log,
      env: io.env,
      signal,
      observer: metrics,
      ...(status.server === null ? {} : { httpUrl: status.server.url }),
    });
  } finally {
    judged.abort();
    await judging;
    await closeStatus(status);
  }
  for (const { stream, error } of outcome.failed) {
    const code = error instanceof MjolnirError ? error.code : 'unexpected';
    io.stderr.write(`error [${code}] ${stream}: ${error.message}\n`);
  }
  io.setExitCode(exitCodeOf(outcome));
}

export function registerPaper(program: Command, io: CliIo): void {
  program
    .command('paper')
    .description(
      'the LIVE paper loop: one decision per closed bar, restart- and catch-up-safe (paper orders only)',
    )
    .addOption(configOption())
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .addOption(
      envOption(
        '--http-port <port>',
        '/livez, /health and /metrics on this port (0: any free one; off: none)',
        'HTTP_PORT',
        httpPortOption,
        8080,
      ),
    )
    .addOption(
      envOption('--http-host <addr>', 'address the HTTP server binds', 'HTTP_HOST', String, '127.0.0.1'),
    )
    .addOption(graceOption())
    .action((options: Parameters<typeof paperCommand>[0]) => paperCommand(options, io));
}

async function closeStatus(status: { server: StatusServer | null; lake: Lake }): Promise<void> {
  await status.server?.close();
  status.lake.close();
}
