import { readFileSync } from 'node:fs';
import {
  type Config,
  countFlags,
  describeSystemError,
  type FlaggedRow,
  isoUtc,
  loadConfig,
  type MarketDataSource,
  type MarketKey,
  MjolnirError,
  streamsOf,
  systemClock,
  type Timeframe,
  timeframe,
  usesVenueRules,
} from '@mjolnir/lib';
import type { CcxtMarketData } from '@mjolnir/lib/exchange';
import type { BackfillReport, Lake } from '@mjolnir/lib/store';
import { type Command, Option } from 'commander';
import type { CliIo } from '../io.js';
import { dataRoot, exchangeOption, openLake, symbolOption, timeframeOption, timeOption } from '../options.js';
import { Progress } from '../progress.js';
import { configOption } from './backtest.js';

/** The ccxt source a config describes, logging retries on stderr. */
export async function sourceFor(config: Config, io: CliIo): Promise<CcxtMarketData> {
  // ccxt loads here, for the commands that talk to an exchange.
  const { marketDataFor } = await import('@mjolnir/lib/exchange');
  return marketDataFor(config, {
    env: io.env,
    onRetry: (error, retry, delay) =>
      io.stderr.write(`retry ${retry} in ${delay} ms: [${error.code}] ${error.message}\n`),
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

/** A file to import, read whole; one that cannot be read is the operator's to fix. */
function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new MjolnirError('input_invalid', `cannot read ${file}: ${describeSystemError(error)}`);
  }
}

/**
 * When the exchange's history begins after the requested start, how much of the request did not
 * exist (a backfill from 2010 of a pair listed in 2021 is mostly slots that never had a bar).
 */
async function historyNote(lake: Lake, key: MarketKey, report: BackfillReport): Promise<string | null> {
  const total = report.to >= report.from ? (report.to - report.from) / timeframe(key.timeframe).ms + 1 : 0;
  const bounds = await lake.bounds(key);
  if (total === 0 || bounds === null || bounds.first <= report.from) return null;
  const before = Math.min(total, (bounds.first - report.from) / timeframe(key.timeframe).ms);
  if (before < 1) return null;
  return (
    `the exchange has no ${key.symbol} ${key.timeframe} bars before ${isoUtc(bounds.first)}: ` +
    `${before.toLocaleString('en-US')} of the ${total.toLocaleString('en-US')} requested slots (${((before / total) * 100).toFixed(0)}%) precede its history`
  );
}

/** The market's rules and fees as the venue states them now, stored beside its bars (a change said). */
async function storeRules(source: MarketDataSource, lake: Lake, key: MarketKey, io: CliIo): Promise<void> {
  if (source.marketRules === undefined) return;
  const { recordRules } = await import('@mjolnir/lib/store');
  const stated = await source.marketRules(key.symbol);
  const changes = recordRules(lake.layout, key, stated);
  const { rules, fees } = stated;
  io.stdout.write(
    `${key.symbol} rules: amount step ${rules.amountStep}, min amount ${rules.minAmount ?? 'none'}, price tick ${rules.priceTick}, min notional ${rules.minNotional ?? 'none'}, fees ${fees === null ? 'none stated' : `maker ${fees.maker} taker ${fees.taker}`}${changes.length > 0 ? ` (changed: ${changes.join('; ')})` : ''}\n`,
  );
}

/** What `backfill` does (its options parsed by commander). */
async function backfillCommand(
  options: {
    config: string;
    symbol?: string;
    start: number;
    end?: number;
    compact: boolean;
    dataRoot?: string;
  },
  io: CliIo,
): Promise<void> {
  const config = loadConfig(options.config, io.env);
  const streams = streamsOf(config).filter(
    (s) => options.symbol === undefined || s.symbol === options.symbol,
  );
  if (streams.length === 0)
    throw new MjolnirError('input_invalid', `${options.symbol} is not among the config's symbols`);
  const source = await sourceFor(config, io);
  const lake = await openLake(dataRoot(options.dataRoot, io.env), io);
  try {
    // "Now" is the exchange's: a simulator runs on its own virtual clock.
    const now = (await source.fetchServerTime()) ?? systemClock.now();
    for (const stream of streams) {
      const key: MarketKey = {
        exchange: stream.exchange,
        symbol: stream.symbol,
        timeframe: stream.timeframe,
      };
      const progress = new Progress(`${stream.symbol} ${stream.timeframe}`, io.stderr);
      const { backfill } = await import('@mjolnir/lib/store');
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
      io.stdout.write(
        `${stream.symbol} ${stream.timeframe}: ${report.bars} bars in ${report.pages} pages, ` +
          `${report.partitionsWritten} partitions written, ${report.alreadyCovered} slots already covered; flagged: ${flags}\n`,
      );
      const history = await historyNote(lake, key, report);
      if (history !== null) io.stderr.write(`note: ${history}\n`);
      if (usesVenueRules(config)) await storeRules(source, lake, key, io);
    }
  } finally {
    lake.close();
    await source.close();
  }
}

/** What `time` does (its options parsed by commander). */
async function timeCommand(options: { config: string }, io: CliIo): Promise<void> {
  const config = loadConfig(options.config, io.env);
  const source = await sourceFor(config, io);
  try {
    const { measureClockDrift } = await import('@mjolnir/lib/exchange');
    const drift = await measureClockDrift(source, systemClock);
    if (drift === null) {
      io.stdout.write(`${config.exchange} offers no server time\n`);
      return;
    }
    io.stdout.write(
      `${config.exchange}: server time ${new Date(drift.serverTime).toISOString()}, drift ${drift.driftMs.toFixed(0)} ms ` +
        `(± ${(drift.roundTripMs / 2).toFixed(0)} ms)\n`,
    );
  } finally {
    await source.close();
  }
}

type ImportCliOptions = {
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  format?: string;
  timestamps?: string;
  dataRoot?: string;
};

/** `mjolnir import`: a file's bars, validated, into the lake. */
async function importCommand(file: string, options: ImportCliOptions, io: CliIo): Promise<void> {
  const tf = options.timeframe;
  const format = options.format ?? (file.endsWith('.json') ? 'freqtrade' : 'csv');
  if (format !== 'csv' && format !== 'freqtrade')
    throw new MjolnirError('input_invalid', `--format ${format}: expected freqtrade or csv`);
  if (format === 'csv' && options.timestamps !== 'open' && options.timestamps !== 'close') {
    throw new MjolnirError('input_invalid', '--timestamps open|close is required for a CSV');
  }
  const text = readInput(file);
  const { parseFreqtradeJson, parseOhlcvCsv } = await import('@mjolnir/lib/store');
  const parsed =
    format === 'freqtrade'
      ? parseFreqtradeJson(text, tf)
      : parseOhlcvCsv(text, tf, options.timestamps as 'open' | 'close');
  const lake = await openLake(dataRoot(options.dataRoot, io.env), io);
  try {
    const key: MarketKey = { exchange: options.exchange, symbol: options.symbol, timeframe: tf.label };
    const report = await lake.write(key, parsed.bars);
    await lake.compact(key);
    io.stdout.write(
      `${file}: ${parsed.bars.length} bars into ${lake.layout.rawDir(key)} (${report.written.length} partitions written, ` +
        `${report.unchanged.length} unchanged); ${describeFlags(parsed.flags)}\n`,
    );
  } finally {
    lake.close();
  }
}

export function registerMarketData(program: Command, io: CliIo): void {
  registerBackfill(program, io);
  registerImport(program, io);
  registerExchange(program, io);
}

function registerBackfill(program: Command, io: CliIo): void {
  program
    .command('backfill')
    .description(
      'history of a stream into the lake, with progress; resumable: a rerun continues where it stopped',
    )
    .addOption(configOption('configs/default.yaml'))
    .option('--symbol <symbol>', 'one of the config symbols (default: all)', symbolOption)
    .requiredOption('--start <time>', 'first bar close, epoch ms or ISO', timeOption)
    .option('--end <time>', 'last bar close (default: the newest closed bar)', timeOption)
    .option('--no-compact', 'skip building the month read cache afterwards')
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .action((options: Parameters<typeof backfillCommand>[0]) => backfillCommand(options, io));
}

function registerImport(program: Command, io: CliIo): void {
  program
    .command('import')
    .description(
      'bars from a freqtrade JSON or a CSV into the lake (validated: bad rows are listed, never passed on)',
    )
    .argument('<file>', 'the file to import')
    .requiredOption('--exchange <id>', 'exchange id the bars come from', exchangeOption)
    .requiredOption('--symbol <symbol>', 'unified symbol, e.g. BTC/USDT', symbolOption)
    .requiredOption('--timeframe <tf>', 'timeframe of the bars', timeframeOption)
    .addOption(
      new Option('--format <format>', 'the file (default: by extension)').choices(['freqtrade', 'csv']),
    )
    .addOption(
      new Option(
        '--timestamps <key>',
        'which time the file keys bars by (required for CSV; freqtrade is open)',
      ).choices(['open', 'close']),
    )
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .action((file: string, options: ImportCliOptions) => importCommand(file, options, io));
}

function registerExchange(program: Command, io: CliIo): void {
  const exchange = program.command('exchange').description('talk to the configured exchange');
  exchange
    .command('time')
    .description('the exchange\'s clock and our drift from it (runbook 001: "timestamp outside recv window")')
    .addOption(configOption('configs/default.yaml'))
    .action((options: Parameters<typeof timeCommand>[0]) => timeCommand(options, io));
}
