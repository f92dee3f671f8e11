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

interface HealthCliOptions {
  config?: string;
  dataRoot?: string;
  strict?: boolean;
  json?: boolean;
  grace: number;
}

/** The streams to judge, their facts read from the files and the lake, and the verdict. */
async function judge(options: HealthCliOptions, io: CliIo) {
  const root = dataRoot(options.dataRoot);
  const config = options.config === undefined ? null : loadConfig(options.config, process.env);
  const streams: LiveStream[] =
    config === null
      ? liveStreams(root)
      : streamsOf(config).map((s) => ({ tag: s.tag, symbol: s.symbol, timeframe: s.timeframe }));
  const wallNow = systemClock.now();
  const exchangeNow = config === null ? null : await exchangeTime(config);
  const lake = await openLake(root, io);
  try {
    const facts = await gatherHealth(root, streams, {
      now: exchangeNow ?? wallNow,
      wallNow,
      rawTail: async (key) => {
        const last = (await lake.bounds(key))?.last;
        if (last === undefined) return null;
        const bars = await lake.read(key, last - 11 * timeframe(key.timeframe).ms, last);
        return { last, volumes: [...bars.volume.subarray(0, bars.length)] };
      },
      exchangeReachable: config === null ? null : exchangeNow !== null,
    });
    const strict = options.strict === true || envFlag('STRICT');
    const report = evaluateHealth(facts, { ...DEFAULT_HEALTH, strict, graceBars: options.grace });
    return { report, clock: exchangeNow === null ? 'machine' : 'exchange' };
  } finally {
    lake.close();
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
    .action(async (options: HealthCliOptions) => {
      const { report, clock } = await judge(options, io);
      const json = options.json === true || envFlag('JSON');
      io.stdout.write(
        json
          ? `${JSON.stringify({ ...report, clock })}\n`
          : `${formatHealth(report)}clock: ${clock === 'machine' ? 'this machine' : 'the exchange'}\n`,
      );
      io.setExitCode(healthExitCode(report));
    });
}
