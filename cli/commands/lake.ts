import { gapReport, isoUtc, type MarketKey, MjolnirError, type Timeframe, timeframe } from '@mjolnir/lib';
import type { Lake } from '@mjolnir/lib/store';
import type { Command } from 'commander';
import { columns, num } from '../format.js';
import type { CliIo } from '../io.js';
import { dataRoot, exchangeOption, openLake, symbolOption, timeframeOption, timeOption } from '../options.js';

interface StreamOptions {
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  start?: number;
  end?: number;
  dataRoot?: string;
  json?: boolean;
}

function withStream(command: Command): Command {
  return command
    .requiredOption(
      '--exchange <id>',
      'venue id as in raw/<exchange>/ (sim for the simulator)',
      exchangeOption,
    )
    .requiredOption('--symbol <symbol>', 'unified symbol, e.g. BTC/USDT', symbolOption)
    .requiredOption('--timeframe <tf>', 'timeframe, e.g. 5m', timeframeOption)
    .option('--start <time>', 'first bar close, epoch ms or ISO (default: the first stored)', timeOption)
    .option('--end <time>', 'last bar close (default: the last stored)', timeOption)
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)');
}

async function open(
  options: StreamOptions,
  io: CliIo,
): Promise<{ lake: Lake; key: MarketKey; start: number; end: number } | null> {
  const lake = await openLake(dataRoot(options.dataRoot, io.env), io);
  const key: MarketKey = {
    exchange: options.exchange,
    symbol: options.symbol,
    timeframe: options.timeframe.label,
  };
  const bounds = await lake.bounds(key);
  if (bounds === null) {
    lake.close();
    throw new MjolnirError('input_invalid', `no bars stored under ${lake.layout.rawDir(key)}`);
  }
  return { lake, key, start: options.start ?? bounds.first, end: options.end ?? bounds.last };
}

/** What `gaps` does (its options parsed by commander). */
async function gapsCommand(options: StreamOptions, io: CliIo): Promise<void> {
  const opened = await open(options, io);
  if (opened === null) return;
  try {
    const tf = timeframe(opened.key.timeframe);
    const report = gapReport(
      await opened.lake.read(opened.key, opened.start, opened.end),
      tf,
      opened.start,
      opened.end,
    );
    if (options.json) {
      io.stdout.write(`${JSON.stringify(report)}\n`);
      return;
    }
    io.stdout.write(
      `${columns([
        ['window', `${isoUtc(report.start)} .. ${isoUtc(report.end)}`],
        ['expected', num(report.expected)],
        [
          'present',
          `${num(report.present)} (${num(report.invalid)} unusable, ${num(report.zeroVolume)} with zero volume)`,
        ],
        ['missing', `${num(report.missing)} in ${num(report.gaps.length)} gaps`],
      ])}\n`,
    );
    for (const gap of report.gaps.slice(0, 20)) {
      io.stdout.write(`  ${isoUtc(gap.from)} .. ${isoUtc(gap.to)}  ${gap.bars} bars\n`);
    }
    if (report.gaps.length > 20) io.stdout.write(`  ... ${report.gaps.length - 20} more (--json for all)\n`);
  } finally {
    opened.lake.close();
  }
}

export function registerLake(program: Command, io: CliIo): void {
  const lake = program.command('lake').description('inspect and maintain the raw-bar lake');

  withStream(
    lake.command('gaps').description('missing bars of a window, listed (never filled with invented candles)'),
  )
    .option('--json', 'one JSON object')
    .action((options: Parameters<typeof gapsCommand>[0]) => gapsCommand(options, io));

  withStream(
    lake
      .command('resample')
      .description('resample to a higher timeframe in DuckDB (complete bars only) and print CSV'),
  )
    .requiredOption('--to <tf>', 'target timeframe, e.g. 1h', timeframeOption)
    .action(async (options: StreamOptions & { to: Timeframe }) => {
      const opened = await open(options, io);
      if (opened === null) return;
      try {
        const { resample } = await import('@mjolnir/lib/store');
        const result = await resample(opened.lake, opened.key, options.to.label, opened.start, opened.end);
        const s = result.series;
        const lines = ['ts_ms,open,high,low,close,volume'];
        for (let i = 0; i < s.length; i++)
          lines.push(`${s.ts[i]},${s.open[i]},${s.high[i]},${s.low[i]},${s.close[i]},${s.volume[i]}`);
        io.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        opened.lake.close();
      }
    });

  withStream(
    lake.command('compact').description('build the month read cache of a stream (stale months are rebuilt)'),
  ).action(async (options: StreamOptions) => {
    const opened = await open(options, io);
    if (opened === null) return;
    try {
      const report = await opened.lake.compact(opened.key);
      io.stdout.write(
        `built ${report.built.length} months, ${report.current.length} already current, ${report.removed.length} removed\n`,
      );
    } finally {
      opened.lake.close();
    }
  });

  withStream(lake.command('info').description('days, first and last bar of a stream')).action(
    async (options: StreamOptions) => {
      const opened = await open(options, io);
      if (opened === null) return;
      try {
        const days = opened.lake.days(opened.key);
        io.stdout.write(
          `${opened.lake.layout.rawDir(opened.key)}: ${days.length} days, ${isoUtc(opened.start)} .. ${isoUtc(opened.end)}\n`,
        );
      } finally {
        opened.lake.close();
      }
    },
  );
}
