import {
  type Config,
  DEFAULT_HEALTH,
  evaluateHealth,
  formatHealth,
  gatherHealth,
  healthExitCode,
  type LiveStream,
  liveStreams,
  loadConfig,
  streamsOf,
  systemClock,
  timeframe,
} from '@mjolnir/lib';
import { marketDataFor } from '@mjolnir/lib/exchange';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { countOption, dataRoot, envFlag, envOption, openLake } from '../options.js';

/** The exchange's time (a simulator runs fast), or null when it does not answer. */
async function exchangeTime(config: Config): Promise<number | null> {
  const source = marketDataFor(config, { env: process.env });
  try {
    return await source.fetchServerTime();
  } catch {
    return null;
  } finally {
    await source.close();
  }
}

export function registerHealth(program: Command, io: CliIo): void {
  program
    .command('health')
    .description(
      'healthcheck of the LIVE streams from the tails of their files: exit 0 OK, 1 WARN (strict only), 2 FAIL',
    )
    .addOption(
      envOption(
        '-c, --config <file>',
        'only the streams of this config, judged by its exchange time',
        'CONFIG',
      ),
    )
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .option('--strict', 'WARN exits 1 (STRICT=1)')
    .option('--json', 'one JSON object (JSON=1)')
    .addOption(
      envOption(
        '--grace <bars>',
        'bars a decision may lag the last closed slot',
        'HEALTH_GRACE_BARS',
        countOption,
        2,
      ),
    )
    .action(
      async (options: {
        config?: string;
        dataRoot?: string;
        strict?: boolean;
        json?: boolean;
        grace: number;
      }) => {
        const root = dataRoot(options.dataRoot);
        const config = options.config === undefined ? null : loadConfig(options.config, process.env);
        const streams: LiveStream[] =
          config === null
            ? liveStreams(root)
            : streamsOf(config).map((s) => ({ tag: s.tag, symbol: s.symbol, timeframe: s.timeframe }));
        const wallNow = systemClock.now();
        const exchangeNow = config === null ? null : await exchangeTime(config);
        const lake = await openLake(root, io);
        let report: ReturnType<typeof evaluateHealth>;
        try {
          const facts = await gatherHealth(root, streams, {
            now: exchangeNow ?? wallNow,
            wallNow,
            newestRaw: async (key) => (await lake.bounds(key))?.last ?? null,
            recentVolumes: async (key) => {
              const last = (await lake.bounds(key))?.last;
              if (last === undefined) return [];
              const bars = await lake.read(key, last - 11 * timeframe(key.timeframe).ms, last);
              return [...bars.volume.subarray(0, bars.length)];
            },
            exchangeReachable: config === null ? null : exchangeNow !== null,
          });
          report = evaluateHealth(facts, {
            ...DEFAULT_HEALTH,
            strict: options.strict === true || envFlag('STRICT'),
            graceBars: options.grace,
          });
        } finally {
          lake.close();
        }
        const json = options.json === true || envFlag('JSON');
        const clock = exchangeNow === null ? 'clock: this machine' : 'clock: the exchange';
        io.stdout.write(
          json
            ? `${JSON.stringify({ ...report, clock: exchangeNow === null ? 'machine' : 'exchange' })}\n`
            : `${formatHealth(report)}${clock}\n`,
        );
        io.setExitCode(healthExitCode(report));
      },
    );
}
