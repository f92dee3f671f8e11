import { performance } from 'node:perf_hooks';
import {
  createEngine,
  engineSpecOf,
  generateSeries,
  isoUtc,
  loadConfig,
  streamsOf,
  timeframe,
  tradeStats,
  tsMs,
} from '@mjolnir/lib';
import { type Command, InvalidArgumentError } from 'commander';
import { columns, num, pct } from '../format.js';
import type { CliIo } from '../io.js';
import { countOption, intOption } from '../options.js';
import { configOption } from './backtest.js';

/** The most bars generated in memory (48 bytes each): 2.4 GB. */
const MAX_BARS = 50_000_000;

function barsOption(value: string): number {
  const bars = countOption(value);
  if (bars > MAX_BARS) throw new InvalidArgumentError(`at most ${num(MAX_BARS)} bars, got "${value}"`);
  return bars;
}

/** 2024-01-01T00:00Z: a fixed start so the summary prints the same figures on every machine. */
const DEMO_START = 1_704_067_200_000;

/** What `engine` does (its options parsed by commander). */
function engineCommand(
  options: { config: string; bars: number; seed: number; json?: boolean },
  io: CliIo,
): void {
  const config = loadConfig(options.config, io.env);
  const stream = streamsOf(config)[0]!;
  const spec = engineSpecOf(config);
  const engine = createEngine(spec);
  const series = generateSeries(
    {
      seed: options.seed,
      timeframe: timeframe(config.timeframe),
      startTs: tsMs(DEMO_START + spec.timeframe.ms),
    },
    options.bars,
  );
  const started = performance.now();
  const result = engine.run(series);
  const elapsedMs = performance.now() - started;
  const stats = tradeStats(result.trades, spec.initialCapital);
  const reasons: Record<string, number> = {};
  for (const d of result.decisions)
    reasons[`${d.action}/${d.reason}`] = (reasons[`${d.action}/${d.reason}`] ?? 0) + 1;

  if (options.json) {
    const summary = {
      stream,
      bars: series.length,
      decisions: result.decisions.length,
      reasons,
      stats,
      elapsedMs,
    };
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const first = series.ts[0]!;
  const last = series.ts[series.length - 1]!;
  const lines = [
    `Mjölnir engine: ${spec.strategy.id} on ${stream.exchange} ${stream.symbol} ${stream.timeframe}`,
    `(synthetic bars, seed ${options.seed})`,
    '',
    columns([
      ['bars', `${num(series.length)}  closes ${isoUtc(first)} .. ${isoUtc(last)}`],
      ['decisions', `${num(result.decisions.length)}  (one per closed bar)`],
      ...Object.entries(reasons)
        .sort((a, b) => b[1] - a[1])
        .map(([reason, count]) => [`  ${reason}`, num(count)]),
      [
        'trades',
        `${num(stats.trades)}  win rate ${pct(stats.winRate)}  profit factor ${num(stats.profitFactor, 2)}`,
      ],
      [
        'net PnL',
        `${num(stats.netPnl, 2)} (fees ${num(stats.fees, 2)}) on capital ${num(spec.initialCapital)}`,
      ],
      ['max drawdown', `${num(stats.maxDrawdown, 2)} (${pct(stats.maxDrawdownFraction, 2)})`],
      ['engine', `${num(elapsedMs, 1)} ms, ${num(series.length / (elapsedMs / 1000))} bars/s`],
    ]),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
}

export function registerEngine(program: Command, io: CliIo): void {
  program
    .command('engine')
    .description(
      "run the decision engine over generated bars for the config's first stream and print a summary",
    )
    .addOption(configOption('configs/default.yaml'))
    .option('-n, --bars <count>', `number of bars to generate (at most ${num(MAX_BARS)})`, barsOption, 20_000)
    .option('--seed <seed>', 'seed of the synthetic market', intOption, 42)
    .option('--json', 'print the summary as one JSON object')
    .action((options: Parameters<typeof engineCommand>[0]) => engineCommand(options, io));
}
