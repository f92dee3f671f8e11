import { readFileSync } from 'node:fs';
import {
  backfill,
  type CcxtMarketData,
  type Config,
  countFlags,
  type FlaggedRow,
  Lake,
  loadConfig,
  type MarketKey,
  MjolnirError,
  marketDataFor,
  measureClockDrift,
  parseFreqtradeJson,
  parseOhlcvCsv,
  streamsOf,
  systemClock,
  type TimeframeLabel,
  timeframe,
} from '@mjolnir/lib';
import type { Command } from 'commander';
import { dataRoot, timeOption } from '../options.js';
import { Progress } from '../progress.js';

/** The ccxt source a config describes, logging retries on stderr. */
export function sourceFor(config: Config): CcxtMarketData {
  return marketDataFor(config, {
    env: process.env,
    onRetry: (error, retry, delay) =>
      process.stderr.write(`retry ${retry} in ${delay} ms: [${error.code}] ${error.message}\n`),
  });
}

function describeFlags(flags: readonly FlaggedRow[], limit = 8): string {
  if (flags.length === 0) return 'no rows flagged';
  const counts = Object.entries(countFlags(flags))
    .map(([flag, n]) => `${flag}: ${n}`)
    .join(', ');
  const examples = flags
    .slice(0, limit)
    .map((f) => `  row ${f.at}: ${f.flag}${f.detail ? ` (${f.detail})` : ''}`);
  return `${flags.length} rows flagged (${counts})\n${examples.join('\n')}${flags.length > limit ? '\n  ...' : ''}`;
}

export function registerMarketData(program: Command): void {
  program
    .command('backfill')
    .description(
      'history of a stream into the lake, with progress; resumable: a rerun continues where it stopped',
    )
    .option('-c, --config <file>', 'config file', process.env['CONFIG'] ?? 'configs/default.yaml')
    .option('--symbol <symbol>', 'one of the config symbols (default: all)')
    .requiredOption('--start <time>', 'first bar close, epoch ms or ISO', timeOption)
    .option('--end <time>', 'last bar close (default: the newest closed bar)', timeOption)
    .option('--no-compact', 'skip building the month read cache afterwards')
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .action(
      async (options: {
        config: string;
        symbol?: string;
        start: number;
        end?: number;
        compact: boolean;
        dataRoot?: string;
      }) => {
        const config = loadConfig(options.config, process.env);
        const streams = streamsOf(config).filter(
          (s) => options.symbol === undefined || s.symbol === options.symbol,
        );
        if (streams.length === 0)
          throw new MjolnirError('input_invalid', `${options.symbol} is not among the config's symbols`);
        const source = sourceFor(config);
        const lake = await Lake.open(dataRoot(options.dataRoot));
        try {
          // "Now" is the exchange's: a simulator runs on its own virtual clock.
          const now = (await source.fetchServerTime()) ?? systemClock.now();
          for (const stream of streams) {
            const key: MarketKey = {
              exchange: stream.exchange,
              symbol: stream.symbol,
              timeframe: stream.timeframe,
            };
            const progress = new Progress(`${stream.symbol} ${stream.timeframe}`);
            const report = await backfill({
              source,
              lake,
              key,
              start: options.start,
              end: options.end ?? Number.MAX_SAFE_INTEGER,
              now,
              onProgress: (p) =>
                progress.update(p.done, p.total, `bars, ${p.bars.toLocaleString('en-US')} fetched`),
            });
            progress.done();
            if (options.compact) await lake.compact(key);
            const flags =
              Object.entries(report.flags)
                .map(([f, n]) => `${f}: ${n}`)
                .join(', ') || 'none';
            process.stdout.write(
              `${stream.symbol} ${stream.timeframe}: ${report.bars} bars in ${report.pages} pages, ` +
                `${report.partitionsWritten} partitions written, ${report.alreadyCovered} slots already covered; flagged: ${flags}\n`,
            );
          }
        } finally {
          lake.close();
          await source.close();
        }
      },
    );

  program
    .command('import')
    .description(
      'bars from a freqtrade JSON or a CSV into the lake (validated: bad rows are listed, never passed on)',
    )
    .argument('<file>', 'the file to import')
    .requiredOption('--exchange <id>', 'exchange id the bars come from')
    .requiredOption('--symbol <symbol>', 'unified symbol, e.g. BTC/USDT')
    .requiredOption('--timeframe <tf>', 'timeframe of the bars')
    .option('--format <format>', 'freqtrade | csv (default: by extension)')
    .option(
      '--timestamps <key>',
      'open | close: which time the file keys bars by (required for CSV; freqtrade is open)',
    )
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .action(
      async (
        file: string,
        options: {
          exchange: string;
          symbol: string;
          timeframe: string;
          format?: string;
          timestamps?: string;
          dataRoot?: string;
        },
      ) => {
        const tf = timeframe(options.timeframe as TimeframeLabel);
        const format = options.format ?? (file.endsWith('.json') ? 'freqtrade' : 'csv');
        if (format === 'csv' && options.timestamps !== 'open' && options.timestamps !== 'close') {
          throw new MjolnirError('input_invalid', '--timestamps open|close is required for a CSV');
        }
        const text = readFileSync(file, 'utf8');
        const parsed =
          format === 'freqtrade'
            ? parseFreqtradeJson(text, tf)
            : parseOhlcvCsv(text, tf, options.timestamps as 'open' | 'close');
        const lake = await Lake.open(dataRoot(options.dataRoot));
        try {
          const key: MarketKey = { exchange: options.exchange, symbol: options.symbol, timeframe: tf.label };
          const report = await lake.write(key, parsed.bars);
          await lake.compact(key);
          process.stdout.write(
            `${file}: ${parsed.bars.length} bars into ${lake.layout.rawDir(key)} (${report.written.length} partitions written, ` +
              `${report.unchanged.length} unchanged); ${describeFlags(parsed.flags)}\n`,
          );
        } finally {
          lake.close();
        }
      },
    );

  const exchange = program.command('exchange').description('talk to the configured exchange');
  exchange
    .command('time')
    .description('the exchange\'s clock and our drift from it (runbook 001: "timestamp outside recv window")')
    .option('-c, --config <file>', 'config file', process.env['CONFIG'] ?? 'configs/default.yaml')
    .action(async (options: { config: string }) => {
      const config = loadConfig(options.config, process.env);
      const source = sourceFor(config);
      try {
        const drift = await measureClockDrift(source, systemClock);
        if (drift === null) {
          process.stdout.write(`${config.exchange} offers no server time\n`);
          return;
        }
        process.stdout.write(
          `${config.exchange}: server time ${new Date(drift.serverTime).toISOString()}, drift ${drift.driftMs.toFixed(0)} ms ` +
            `(± ${(drift.roundTripMs / 2).toFixed(0)} ms)\n`,
        );
      } finally {
        await source.close();
      }
    });
}
