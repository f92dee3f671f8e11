import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/index.js';
import { MjolnirError, workerScript } from '../core/index.js';
import type { BarSeries } from '../market/index.js';
import type { StrategyDefinition } from '../strategy/index.js';
import { expandGrid, type Grid, type ParamSet } from './grid.js';
import { evaluateParams, type SweepOutcome, type SweepWindow } from './sweep-run.js';

/** A grid of parameter sets over one window. */
export interface SweepRequest {
  readonly config: Config;
  readonly grid: Grid;
  /** Bars from before the window (for each set's warmup) to its end. */
  readonly series: BarSeries;
  readonly window: SweepWindow;
  /** Worker threads; 0 runs every set in this thread (default: one per core). */
  readonly workers?: number;
  /**
   * The strategy as an object (a notebook's), instead of the config's built-in or file. Objects cannot
   * cross to worker threads: such a sweep runs in this thread (a `strategy.file` runs on all cores).
   */
  readonly definition?: StrategyDefinition;
  readonly onProgress?: (done: number, total: number) => void;
}

/** One parameter set's result. */
export interface SweepRow {
  /** Position in the grid's expansion order. */
  readonly index: number;
  readonly params: ParamSet;
  readonly outcome: SweepOutcome;
}

/** What worker threads are sent once: the bars as shared memory, viewed in place. */
export interface SweepWorkerData {
  readonly config: Config;
  readonly window: SweepWindow;
  readonly length: number;
  readonly bars: SharedArrayBuffer;
}

/** A job for a worker, and its answer. */
export interface SweepJob {
  readonly index: number;
  readonly params: ParamSet;
}
export type SweepAnswer = { readonly index: number; readonly outcome: SweepOutcome };

/**
 * The sweep's shard function: parameter sets of a grid over one window, each evaluated on its own,
 * in the order given. Worker threads here, queue workers and Kubernetes indexes all call it.
 */
export function evaluateSets(
  config: Config,
  jobs: readonly SweepJob[],
  series: BarSeries,
  window: SweepWindow,
  definition?: StrategyDefinition,
): SweepRow[] {
  return jobs.map((job) => ({
    index: job.index,
    params: job.params,
    outcome: evaluateParams(config, job.params, series, window, definition),
  }));
}

const COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Copies a series into one shared buffer (six columns back to back). */
export function shareSeries(series: BarSeries): SharedArrayBuffer {
  const bars = new SharedArrayBuffer(series.length * 8 * COLUMNS.length);
  COLUMNS.forEach((column, c) => {
    new Float64Array(bars, c * series.length * 8, series.length).set(series[column]);
  });
  return bars;
}

/** The series view of a shared buffer made by shareSeries. */
export function sharedSeries(bars: SharedArrayBuffer, length: number): BarSeries {
  const view = (c: number) => new Float64Array(bars, c * length * 8, length);
  return { length, ts: view(0), open: view(1), high: view(2), low: view(3), close: view(4), volume: view(5) };
}

async function inWorkers(
  request: SweepRequest,
  jobs: readonly SweepJob[],
  count: number,
): Promise<SweepRow[]> {
  const data: SweepWorkerData = {
    config: request.config,
    window: request.window,
    length: request.series.length,
    bars: shareSeries(request.series),
  };
  const rows: SweepRow[] = [];
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const feed = (worker: Worker) => {
        if (next < jobs.length) {
          worker.postMessage(jobs[next++]);
          return;
        }
        running--;
        if (running === 0) resolve();
      };
      for (let w = 0; w < Math.min(count, jobs.length); w++) {
        const worker = new Worker(workerScript('sweep-worker', import.meta.url), { workerData: data });
        workers.push(worker);
        running++;
        worker.on('message', (answer: SweepAnswer) => {
          rows.push({ index: answer.index, params: jobs[answer.index]!.params, outcome: answer.outcome });
          request.onProgress?.(rows.length, jobs.length);
          feed(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0)
            reject(new MjolnirError('invariant_violated', `a sweep worker exited with code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return rows.sort((a, b) => a.index - b.index);
}

/**
 * Runs every parameter set of a grid over one window, engine only, on worker threads sharing the bars
 * (or in this thread with `workers: 0`); the rows come back in grid order, whatever finished first.
 */
export async function runSweep(request: SweepRequest): Promise<SweepRow[]> {
  const jobs = expandGrid(request.grid).map((params, index) => ({ index, params }));
  const count = request.definition === undefined ? (request.workers ?? availableParallelism()) : 0;
  if (count > 0) return inWorkers(request, jobs, count);
  const rows: SweepRow[] = [];
  for (const job of jobs) {
    rows.push(...evaluateSets(request.config, [job], request.series, request.window, request.definition));
    request.onProgress?.(rows.length, jobs.length);
  }
  return rows;
}

/** Metrics a sweep can be ranked by, and whether larger is better. */
export const SWEEP_METRICS = {
  total_return: { of: (o: Ok) => o.performance.totalReturn, larger: true },
  sharpe: { of: (o: Ok) => o.performance.sharpe, larger: true },
  sortino: { of: (o: Ok) => o.performance.sortino, larger: true },
  max_drawdown: { of: (o: Ok) => o.performance.maxDrawdownFraction, larger: false },
  exposure: { of: (o: Ok) => o.performance.exposure, larger: true },
  net_pnl: { of: (o: Ok) => o.trades.netPnl, larger: true },
  profit_factor: { of: (o: Ok) => o.trades.profitFactor, larger: true },
  win_rate: { of: (o: Ok) => o.trades.winRate, larger: true },
  trades: { of: (o: Ok) => o.trades.trades, larger: true },
} as const;
type Ok = Extract<SweepOutcome, { ok: true }>;

/** A metric name of SWEEP_METRICS. */
export type SweepMetric = keyof typeof SWEEP_METRICS;

/** True when `name` is a metric a sweep can be ranked by. */
export function isSweepMetric(name: string): name is SweepMetric {
  return Object.hasOwn(SWEEP_METRICS, name);
}

/** A set's value of `metric`: NaN when refused or undefined (a ratio under its minimum sample). */
export function sweepValue(row: SweepRow, metric: SweepMetric): number {
  return row.outcome.ok ? SWEEP_METRICS[metric].of(row.outcome) : Number.NaN;
}

/**
 * Best first by `metric`; sets whose value is undefined (NaN: a ratio under its minimum sample) after
 * them, refused sets last; ties keep grid order.
 */
export function rankSweep(rows: readonly SweepRow[], metric: SweepMetric): SweepRow[] {
  const { of, larger } = SWEEP_METRICS[metric];
  const key = (row: SweepRow) => {
    if (!row.outcome.ok) return { group: 2, value: 0 };
    const value = of(row.outcome);
    return Number.isNaN(value) ? { group: 1, value: 0 } : { group: 0, value: larger ? -value : value };
  };
  return [...rows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka.group - kb.group || ka.value - kb.value || a.index - b.index;
  });
}
