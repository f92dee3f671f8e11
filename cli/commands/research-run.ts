import {
  type Config,
  engineSpecOf,
  formatMetric,
  loadConfig,
  MjolnirError,
  manifestText,
  systemClock,
  timeframe,
} from '@mjolnir/lib';
import {
  checkLookahead,
  evenCuts,
  expandGrid,
  isSweepMetric,
  OutputFile,
  parseGrid,
  rankSweep,
  runSweep,
  SWEEP_METRICS,
  type SweepRow,
  seriesHash,
  specWith,
  sweepValue,
} from '@mjolnir/lib/backtest';
import { EXIT } from '../errors.js';
import { columns, num, ratioFootnote } from '../format.js';
import type { CliIo } from '../io.js';
import { dataRoot, openLake, windowOf } from '../options.js';
import { Progress } from '../progress.js';
import { codeVersion, runIdNow } from '../runs.js';
import { streamOf } from './backtest.js';

const env = process.env;

/** The largest stable warmup over the grid's sets the strategy accepts (refused sets are reported later). */
function largestWarmup(config: Config, sets: readonly Record<string, number | boolean>[]): number {
  let largest = 0;
  for (const params of sets) {
    try {
      largest = Math.max(largest, specWith(config, params).strategy.stableWarmupBars);
    } catch (error) {
      if (!(error instanceof MjolnirError)) throw error;
    }
  }
  return largest;
}

const metricCells = (row: SweepRow): string[] => {
  if (!row.outcome.ok) return ['refused', row.outcome.error];
  const { performance: p, trades: t } = row.outcome;
  return [
    formatMetric('total_return', p.totalReturn),
    formatMetric('sharpe', p.sharpe),
    formatMetric('sortino', p.sortino),
    formatMetric('max_drawdown', p.maxDrawdownFraction),
    formatMetric('exposure', p.exposure),
    num(t.trades),
    formatMetric('win_rate', t.winRate),
    formatMetric('profit_factor', t.profitFactor),
  ];
};

/** The best `top` rows as a terminal table. */
function sweepTable(ranked: readonly SweepRow[], names: readonly string[], top: number): string {
  const header = [
    '#',
    ...names,
    'return',
    'Sharpe*',
    'Sortino*',
    'max DD',
    'exposure',
    'trades',
    'win',
    'PF',
  ];
  const shown = ranked
    .slice(0, top)
    .map((row, i) => [String(i + 1), ...names.map((name) => String(row.params[name])), ...metricCells(row)]);
  return `${columns([header, ...shown])}\n${ratioFootnote()}`;
}

const CSV_METRICS = Object.keys(SWEEP_METRICS);

function sweepCsv(rows: readonly SweepRow[], names: readonly string[]): string {
  const lines = [['rank', ...names, ...CSV_METRICS, 'refused'].join(',')];
  rows.forEach((row, rank) => {
    const metrics = CSV_METRICS.map((metric) =>
      row.outcome.ok ? String(SWEEP_METRICS[metric as keyof typeof SWEEP_METRICS].of(row.outcome)) : '',
    );
    const refused = row.outcome.ok ? '' : JSON.stringify(row.outcome.error);
    lines.push([rank + 1, ...names.map((name) => row.params[name]), ...metrics, refused].join(','));
  });
  return `${lines.join('\n')}\n`;
}

export type SweepCliOptions = {
  config: string;
  start?: number;
  end?: number;
  grid: string[];
  sort: string;
  top: number;
  workers?: number;
  runid?: string;
  dataRoot?: string;
};

/** `mjolnir sweep`: the grid on worker threads, ranked, written beside a manifest. */
export async function sweep(options: SweepCliOptions, io: CliIo): Promise<void> {
  const { start, end } = windowOf(options);
  if (!isSweepMetric(options.sort))
    throw new MjolnirError(
      'input_invalid',
      `--sort ${options.sort}: expected one of ${Object.keys(SWEEP_METRICS).join(', ')}`,
    );
  if (options.grid.length === 0)
    throw new MjolnirError('input_invalid', 'a sweep needs at least one --grid name=values');
  const config = loadConfig(options.config, env);
  const stream = streamOf(config);
  const grid = parseGrid(options.grid);
  const sets = expandGrid(grid);
  const tf = timeframe(stream.timeframe);
  const warmup = largestWarmup(config, sets);
  const runId = options.runid ?? runIdNow('sweep');
  const lake = await openLake(dataRoot(options.dataRoot), io);
  let allRefused: string | null = null;
  try {
    const layout = lake.layout;
    const csv = OutputFile.create(layout.runFile(runId, 'sweep.csv'));
    const manifest = OutputFile.create(layout.manifest(runId));
    try {
      const began = performance.now();
      const series = await lake.read(stream, start - 2 * warmup * tf.ms, end);
      const progress = new Progress(`sweep ${config.strategy.id}`, io.stderr);
      const rows = await runSweep({
        config,
        grid,
        series,
        window: { start, end },
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        onProgress: (done, total) => progress.update(done, total, 'sets'),
      });
      progress.done();
      const ms = performance.now() - began;
      const metric = options.sort;
      const ranked = rankSweep(rows, metric);
      // The best set is the first one ranked by a value: with the metric n/a for every set, none is.
      const best = ranked.find((row) => Number.isFinite(sweepValue(row, metric)));
      const names = Object.keys(grid);
      csv.write(sweepCsv(ranked, names));
      const refused = rows.filter((row) => !row.outcome.ok);
      manifest.write(
        manifestText({
          kind: 'sweep',
          run_id: runId,
          stream: { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe },
          created_at: new Date(systemClock.now()).toISOString(),
          code_version: codeVersion(),
          config,
          grid,
          window: { start_ts_ms: start, end_ts_ms: end },
          input: { lake: layout.rawDir(stream), bars: series.length, sha256: seriesHash(series) },
          sets: rows.length,
          refused: refused.length,
          ranked_by: options.sort,
          best: best?.params ?? null,
          results: layout.runFile(runId, 'sweep.csv'),
          timings: { total_ms: ms },
          status: refused.length === rows.length ? 'all_refused' : 'ok',
        }),
      );
      await csv.commit();
      await manifest.commit();
      io.stdout.write(sweepTable(ranked, names, options.top));
      const scored = rows.find((row) => row.outcome.ok);
      if (best === undefined && scored?.outcome.ok === true)
        io.stderr.write(
          `note: ${options.sort} is n/a for every set (${scored.outcome.performance.ratioNote ?? 'undefined'}): the table keeps the grid's order; --sort total_return ranks them\n`,
        );
      io.stdout.write(
        `${rows.length} sets (${refused.length} refused${refused[0]?.outcome.ok === false ? `, e.g. ${refused[0].outcome.error}` : ''}) ` +
          `over ${num(series.length)} bars in ${num(ms)} ms, ranked by ${options.sort}; RUNID=${runId}\n` +
          `results: ${layout.runFile(runId, 'sweep.csv')}\n`,
      );
      // A sweep that ranked nothing answered nothing: the grid does not fit the strategy.
      if (refused.length === rows.length && refused[0]?.outcome.ok === false)
        allRefused = `every one of the ${rows.length} sets was refused, e.g. ${JSON.stringify(refused[0].params)}: ${refused[0].outcome.error}`;
    } catch (error) {
      await csv.abort();
      await manifest.abort();
      throw error;
    }
  } finally {
    lake.close();
  }
  if (allRefused !== null) throw new MjolnirError('input_invalid', allRefused);
}

export type LookaheadCliOptions = {
  config: string;
  start?: number;
  end?: number;
  cuts: number;
  dataRoot?: string;
};

/** `mjolnir lookahead`: decisions on data cut at many points against the full run. */
export async function lookahead(options: LookaheadCliOptions, io: CliIo): Promise<void> {
  const { start, end } = windowOf(options);
  const config = loadConfig(options.config, env);
  const stream = streamOf(config);
  const lake = await openLake(dataRoot(options.dataRoot), io);
  try {
    const series = await lake.read(stream, start, end);
    if (series.length < 2)
      throw new MjolnirError('input_invalid', `the lake has ${series.length} bars in the window`);
    const report = checkLookahead(() => engineSpecOf(config), series, evenCuts(series.length, options.cuts));
    io.stdout.write(
      `lookahead: ${config.strategy.id} over ${num(series.length)} bars, ${report.cuts.length} cuts, ${num(report.compared)} decisions compared\n`,
    );
    if (report.violation === null) {
      io.stdout.write('PASS: every decision up to each cut equals the full run\n');
      return;
    }
    const v = report.violation;
    io.stdout.write(
      `FAIL: cut at bar ${v.cut}, bar ${v.index} (ts_ms ${v.ts}) decided differently\n  full:      ${v.full}\n  truncated: ${v.truncated}\n`,
    );
    io.setExitCode(EXIT.failed);
  } finally {
    lake.close();
  }
}
