import {
  type Config,
  DataLayout,
  type EngineSpec,
  engineSpecOf,
  formatMetric,
  loadConfig,
  MIN_RATIO_DAYS,
  MjolnirError,
  type Stream,
  streamsOf,
  systemClock,
  type Timeframe,
} from '@mjolnir/lib';
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { columns, num, pct } from '../format.js';
import type { CliIo } from '../io.js';
import type { Env } from '../options.js';
import {
  dataRoot,
  envFlag,
  envOption,
  openLake,
  symbolOption,
  timeframeOption,
  timeOption,
  windowOf,
  withStoredRules,
  withWindow,
} from '../options.js';
import { codeVersion, runIdNow } from '../runs.js';

/** The stream a single-stream command works on: the config's first symbol. */
export function streamOf(config: Config): Stream {
  return streamsOf(config)[0]!;
}

function withStopThrough(config: Config, stopThrough: boolean | undefined, env: Env): Config {
  return stopThrough || envFlag(env, 'STOP_THROUGH')
    ? { ...config, fill: { ...config.fill, stop_through: true } }
    : config;
}

/** `-c, --config` (CONFIG), defaulting to the simulator's config. */
export const configOption = (fallback = 'configs/sim.yaml') =>
  envOption('-c, --config <file>', 'config file', 'CONFIG', undefined, fallback);

export function registerBacktest(program: Command, io: CliIo): void {
  registerBacktestRun(program, io);
  registerEq(program, io);
  registerEqflat(program, io);
}

function registerBacktestRun(program: Command, io: CliIo): void {
  withWindow(program.command('backtest'))
    .description(
      'a windowed backtest from the lake through the one engine; writes the <tag>_bt_<RUNID> trees and runs/<RUNID>/',
    )
    .addOption(configOption())
    .addOption(envOption('--runid <id>', 'run id (default bt_<date>_<time>)', 'RUNID'))
    .option(
      '--warmup-from <time>',
      "start the warmup at this bar close, taken as is (default: the strategy's stable warmup, proven)",
      timeOption,
    )
    .option('--stop-through', 'a bar opening through the stop fills at its open (STOP_THROUGH=1)')
    .option('--explain', "write each decision's feature values (slower)")
    .option('--data-root <dir>', 'data root (DATA_ROOT)')
    .action((options: BacktestCliOptions) => backtest(options, io));
}

function registerEq(program: Command, io: CliIo): void {
  program
    .command('eq')
    .description(
      'LIVE vs BACKTEST: decisions and trade lifecycle over the overlapping window, synced at flat',
    )
    .addOption(configOption())
    .option(
      '--symbol <symbol>',
      "the stream's symbol, BTC/USD or as in paths BTC_USD (default the config's)",
      symbolOption,
    )
    .option('--timeframe <tf>', "the stream's timeframe (default the config's)", timeframeOption)
    .option('--live-tag <tag>', "LIVE tag (DATA_TAG; default the config's)")
    .option('--bt-tag <tag>', 'backtest tag (default <live tag>_bt_<RUNID>)')
    .addOption(envOption('--runid <id>', 'RUNID of the backtest', 'RUNID'))
    .option('--data-root <dir>', 'data root (DATA_ROOT)')
    .action((options: EqCliOptions) => eq(options, io));
}

function registerEqflat(program: Command, io: CliIo): void {
  program
    .command('eqflat')
    .description(
      "backtest from the first LIVE decision with LIVE's warmup and inputs, then eq; prints the RUNID",
    )
    .addOption(configOption())
    .addOption(envOption('--runid <id>', 'run id (default eqflat_<date>_<time>)', 'RUNID'))
    .option(
      '--stop-through',
      'backtest only: a bar opening through the stop fills at its open (STOP_THROUGH=1)',
    )
    .option('--data-root <dir>', 'data root (DATA_ROOT)')
    .action(function (this: Command, options: EqflatCliOptions) {
      return eqflat(this, options, io);
    });
}

type BacktestCliOptions = {
  config: string;
  start?: number;
  end?: number;
  runid?: string;
  warmupFrom?: number;
  stopThrough?: boolean;
  explain?: boolean;
  dataRoot?: string;
};

/** `mjolnir backtest`: the run, then what it decided and where it wrote it. */
async function backtest(options: BacktestCliOptions, io: CliIo): Promise<void> {
  const { start, end } = windowOf(options);
  const { runBacktest } = await import('@mjolnir/lib/backtest');
  const lake = await openLake(dataRoot(options.dataRoot, io.env), io);
  try {
    const config = await withStoredRules(
      withStopThrough(loadConfig(options.config, io.env), options.stopThrough, io.env),
      lake,
    );
    const result = await runBacktest(lake, {
      spec: engineSpecOf(config),
      stream: streamOf(config),
      runId: options.runid ?? runIdNow('bt'),
      start,
      end,
      ...(options.warmupFrom === undefined ? {} : { warmupFrom: options.warmupFrom }),
      codeVersion: codeVersion(io.env),
      now: systemClock.now(),
      strategyFile: config.strategy.file,
      ...(options.explain ? { explain: true } : {}),
    });
    const p = result.performance;
    const t = result.trades;
    io.stdout.write(
      `${columns([
        ['RUNID', result.runId],
        ['decisions', `${num(result.decisions)} -> ${result.decisionsPath}`],
        [
          'trades',
          `${num(t.trades)}  win rate ${pct(t.winRate)}  profit factor ${num(t.profitFactor, 2)} -> ${result.tradesPath}`,
        ],
        [
          'return',
          `${formatMetric('total_return', p.totalReturn)}  Sharpe ${formatMetric('sharpe', p.sharpe)}  Sortino ${formatMetric('sortino', p.sortino)} (${p.ratioNote === null ? 'annualised' : `under ${MIN_RATIO_DAYS} days: not annualised`})  max drawdown ${formatMetric('max_drawdown', p.maxDrawdownFraction)}  exposure ${formatMetric('exposure', p.exposure)}`,
        ],
        ['manifest', result.manifestPath],
        ['took', `${num(result.timings.totalMs)} ms (load ${num(result.timings.loadMs)} ms)`],
      ])}\n`,
    );
    for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
    if (p.ratioNote !== null && result.decisions >= 2) io.stderr.write(`note: ${p.ratioNote}\n`);
    const stream = streamOf(config);
    const coverage = lake.cacheCoverage(stream, start, end);
    // The month still being written is usually not compacted; more than that is worth a hint.
    if (coverage.months - coverage.cached > 1)
      io.stderr.write(
        `note: ${coverage.months - coverage.cached} of ${coverage.months} months were read from day files; ` +
          `\`mjolnir lake compact --exchange ${stream.exchange} --symbol ${stream.symbol} --timeframe ${stream.timeframe}\` ` +
          'builds the month read cache (reads about 8x faster)\n',
      );
  } finally {
    lake.close();
  }
}

type EqCliOptions = {
  config: string;
  symbol?: string;
  timeframe?: Timeframe;
  liveTag?: string;
  btTag?: string;
  runid?: string;
  dataRoot?: string;
};

/** `mjolnir eq`: two tags' journals compared; exit 1 on FAIL. */
async function eq(options: EqCliOptions, io: CliIo): Promise<void> {
  const { eqTags, formatEq } = await import('@mjolnir/lib/equivalence');
  // The runbook's form names the stream itself: `eq --symbol BTC_USD --timeframe 5m --live-tag ...`.
  const configured = streamOf(loadConfig(options.config, io.env));
  const stream = {
    ...configured,
    symbol: options.symbol ?? configured.symbol,
    timeframe: options.timeframe?.label ?? configured.timeframe,
  };
  const liveTag = options.liveTag ?? stream.tag;
  const btTag = options.btTag ?? (options.runid ? `${liveTag}_bt_${options.runid}` : undefined);
  if (btTag === undefined) throw new MjolnirError('input_invalid', 'eq needs --bt-tag or --runid (RUNID)');
  const result = eqTags(new DataLayout(dataRoot(options.dataRoot, io.env)), stream, liveTag, btTag);
  io.stdout.write(
    formatEq(result, `eq: LIVE ${liveTag} vs BT ${btTag}, ${stream.symbol} ${stream.timeframe}`),
  );
  io.setExitCode(result.overall ? EXIT.ok : EXIT.failed);
}

type EqflatCliOptions = { config: string; runid?: string; stopThrough?: boolean; dataRoot?: string };

/** `mjolnir eqflat`: a backtest from LIVE's first decision with LIVE's inputs, then eq; exit 1 on FAIL. */
async function eqflat(command: Command, options: EqflatCliOptions, io: CliIo): Promise<void> {
  const runId = options.runid ?? runIdNow('eqflat');
  const { eqflat, formatEq, liveRunSpec } = await import('@mjolnir/lib/equivalence');
  const lake = await openLake(dataRoot(options.dataRoot, io.env), io);
  try {
    const config = await withStoredRules(
      withStopThrough(loadConfig(options.config, io.env), options.stopThrough, io.env),
      lake,
    );
    const stream = streamOf(config);
    // Without a CONFIG of its own, eqflat reproduces LIVE from its manifest; a CONFIG given must
    // match what LIVE ran (eqflat refuses one that does not).
    const chosen = command.getOptionValueSource('config') !== 'default';
    const fromLive = chosen ? null : liveSpecOrNull(() => liveRunSpec(lake.layout, stream));
    const spec =
      fromLive === null ? engineSpecOf(config) : withStopThroughSpec(fromLive, options.stopThrough, io.env);
    const outcome = await eqflat(lake, {
      spec,
      stream,
      runId,
      codeVersion: codeVersion(io.env),
      now: systemClock.now(),
      strategyFile: config.strategy.file,
    });
    io.stdout.write(`DATA_TAG=${stream.tag}\nRUNID=${runId}\n`);
    io.stdout.write(
      formatEq(
        outcome.result,
        `eq: LIVE ${stream.tag} vs BT ${outcome.backtest.tag}, ${stream.symbol} ${stream.timeframe}`,
      ),
    );
    io.setExitCode(outcome.result.overall ? EXIT.ok : EXIT.failed);
  } finally {
    lake.close();
  }
}

/** LIVE's spec from its manifest, or null where it cannot be rebuilt alone (a strategy file, a model). */
function liveSpecOrNull(read: () => EngineSpec | null): EngineSpec | null {
  try {
    return read();
  } catch (error) {
    if (error instanceof MjolnirError && error.category === 'operator') return null;
    throw error;
  }
}

/** STOP_THROUGH=1 asked of a spec read from a manifest (a backtest-only option). */
function withStopThroughSpec(spec: EngineSpec, stopThrough: boolean | undefined, env: Env): EngineSpec {
  return stopThrough === true || envFlag(env, 'STOP_THROUGH')
    ? { ...spec, fill: { ...spec.fill, stopThrough: true } }
    : spec;
}
