import type { BarSeries } from '@mjolnir/lib';
import {
  type Config,
  formatMetric,
  loadConfig,
  MjolnirError,
  manifestText,
  systemClock,
  timeframe,
} from '@mjolnir/lib';
import {
  expandGrid,
  type Grid,
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
import { columns, num, ratioFootnote } from '../format.js';
import type { CliIo } from '../io.js';
import { dataRoot, openLake, snapshotsOf, windowOf, withStoredRules } from '../options.js';
import { Progress } from '../progress.js';
import { codeVersion, runIdNow } from '../runs.js';
import { streamOf } from './backtest.js';
import { collectedRows, queuedRows, readPlan, type SweepPlan, writePlan } from './sweep-sources.js';

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
  queue?: string;
  snapshots?: string;
  plan?: string;
  collect?: string;
  shardSize?: number;
};

/** What a sweep runs: the config, its grid over one window, and the bars that window needs. */
export interface SweepInputs {
  readonly config: Config;
  readonly grid: Grid;
  readonly window: { readonly start: number; readonly end: number };
  readonly series: BarSeries;
  /** Where the bars came from, as the manifest says it. */
  readonly source: string;
}

/** The sweep a command line asks for: its config and grid, the bars read from the lake. */
async function inputsFromLake(options: SweepCliOptions, io: CliIo): Promise<SweepInputs> {
  const { start, end } = windowOf(options);
  if (options.grid.length === 0)
    throw new MjolnirError('input_invalid', 'a sweep needs at least one --grid name=values');
  const grid = parseGrid(options.grid);
  const lake = await openLake(dataRoot(options.dataRoot, io.env), io);
  try {
    const config = await withStoredRules(loadConfig(options.config, io.env), lake);
    const stream = streamOf(config);
    const warmup = largestWarmup(config, expandGrid(grid));
    const series = await lake.read(stream, start - 2 * warmup * timeframe(stream.timeframe).ms, end);
    return { config, grid, window: { start, end }, series, source: lake.layout.rawDir(stream) };
  } finally {
    lake.close();
  }
}

/** The rows of a sweep: on threads here, on the queue, or collected from a Kubernetes plan's results. */
async function rowsOf(inputs: SweepInputs, options: SweepCliOptions, plan: SweepPlan | null, io: CliIo) {
  const progress = new Progress(`sweep ${inputs.config.strategy.id}`, io.stderr);
  const onProgress = (done: number, total: number, unit = 'sets') => progress.update(done, total, unit);
  try {
    if (plan !== null) return await collectedRows(plan, options.collect!);
    if (options.queue !== undefined)
      return await queuedRows(
        inputs,
        { ...options, queue: options.queue, snapshots: snapshotsOf(options, io.env) },
        io,
        (d, t) => onProgress(d, t, 'shards'),
      );
    return await runSweep({
      config: inputs.config,
      grid: inputs.grid,
      series: inputs.series,
      window: inputs.window,
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      onProgress,
    });
  } finally {
    progress.done();
  }
}

/**
 * `mjolnir sweep`: the grid on worker threads (or a queue's workers, or a Kubernetes Indexed Job's
 * results), ranked, written beside a manifest. The same sweep.csv however it ran.
 */
export async function sweep(options: SweepCliOptions, io: CliIo): Promise<void> {
  if (!isSweepMetric(options.sort))
    throw new MjolnirError(
      'input_invalid',
      `--sort ${options.sort}: expected one of ${Object.keys(SWEEP_METRICS).join(', ')}`,
    );
  const plan = options.collect === undefined ? null : await readPlan(options.collect);
  const inputs = plan === null ? await inputsFromLake(options, io) : plan.inputs;
  if (options.plan !== undefined) {
    await writePlan(options.plan, inputs, options.shardSize, io);
    return;
  }
  const began = performance.now();
  const rows = await rowsOf(inputs, options, plan, io);
  const ms = performance.now() - began;
  await report(inputs, rows, ms, options, io);
}

/** What a sweep records of itself beside its results (`runs/<RUNID>/manifest.json`). */
function sweepManifest(
  inputs: SweepInputs,
  options: SweepCliOptions,
  run: {
    readonly runId: string;
    readonly code: string;
    readonly sets: number;
    readonly refused: number;
    readonly best: Readonly<Record<string, unknown>> | null;
    readonly results: string;
    readonly ms: number;
  },
) {
  const { config, grid, series } = inputs;
  const stream = streamOf(config);
  return {
    kind: 'sweep',
    run_id: run.runId,
    stream: { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe },
    created_at: new Date(systemClock.now()).toISOString(),
    code_version: run.code,
    config,
    grid,
    window: { start_ts_ms: inputs.window.start, end_ts_ms: inputs.window.end },
    input: { lake: inputs.source, bars: series.length, sha256: seriesHash(series) },
    ran_on: options.queue !== undefined ? 'queue' : options.collect !== undefined ? 'indexed_job' : 'threads',
    sets: run.sets,
    refused: run.refused,
    ranked_by: options.sort,
    best: run.best,
    results: run.results,
    timings: { total_ms: run.ms },
    status: run.refused === run.sets ? 'all_refused' : 'ok',
  };
}

async function report(
  inputs: SweepInputs,
  rows: SweepRow[],
  ms: number,
  options: SweepCliOptions,
  io: CliIo,
): Promise<void> {
  const { grid, series } = inputs;
  const runId = options.runid ?? runIdNow('sweep');
  const lake = await openLake(dataRoot(options.dataRoot, io.env), io);
  let allRefused: string | null = null;
  try {
    const layout = lake.layout;
    const csv = OutputFile.create(layout.runFile(runId, 'sweep.csv'));
    const manifest = OutputFile.create(layout.manifest(runId));
    try {
      const metric = options.sort as keyof typeof SWEEP_METRICS;
      const ranked = rankSweep(rows, metric);
      // The best set is the first one ranked by a value: with the metric n/a for every set, none is.
      const best = ranked.find((row) => Number.isFinite(sweepValue(row, metric)));
      const names = Object.keys(grid);
      csv.write(sweepCsv(ranked, names));
      const refused = rows.filter((row) => !row.outcome.ok);
      manifest.write(
        manifestText(
          sweepManifest(inputs, options, {
            runId,
            code: codeVersion(io.env),
            sets: rows.length,
            refused: refused.length,
            best: best?.params ?? null,
            results: layout.runFile(runId, 'sweep.csv'),
            ms,
          }),
        ),
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
