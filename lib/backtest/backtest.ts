import { performance } from 'node:perf_hooks';
import type { Stream } from '../config/index.js';
import { manifestText } from '../core/index.js';
import { createEngine, type Engine, type EngineSpec } from '../engine/index.js';
import { DECISION_COLUMNS, decisionConstants, TRADE_COLUMNS } from '../journal/index.js';
import type { BarSeries } from '../market/index.js';
import type { PerformanceStats, TradeStats } from '../metrics/index.js';
import type { Lake } from '../store/index.js';
import { isoUtc } from '../time/index.js';
import { type DecidedWindow, decideWindow } from './decide.js';
import { type DecisionOutput, formatThreads, InlineOutput, ThreadedOutput } from './decision-output.js';
import { type LiveDecisions, loadBars, seriesHash, slotInputs } from './inputs.js';
import { backtestManifest } from './manifest.js';
import { OutputFile } from './output-file.js';

export { seriesHash };

/** What LIVE saw besides the bars, to reproduce it: its decisions (host skips, kill switch refusals). */
export interface LiveInputs {
  readonly tag: string;
  readonly decisions: LiveDecisions;
}

/** A backtest to run. */
export interface BacktestRequest {
  readonly spec: EngineSpec;
  readonly stream: Stream;
  readonly runId: string;
  /** Output window: decisions only for bars closing in [start, end]. */
  readonly start: number;
  readonly end: number;
  /** Where the warmup starts (LIVE's `warmup_from`, taken as is), or by default the strategy's stable warmup before `start`, proven. */
  readonly warmupFrom?: number;
  /** Reproduce LIVE: its host skips and kill switch refusals are applied at the same bars. */
  readonly live?: LiveInputs;
  readonly codeVersion: string;
  /** Write each decision's feature values (slower; LIVE always writes them). */
  readonly explain?: boolean;
  /** Worker threads formatting decisions.csv; 0 formats in this thread (default: the other cores for large runs). */
  readonly formatThreads?: number;
  /** Wall time, for the manifest only. */
  readonly now: number;
  /** The file the strategy was loaded from (a config's `strategy.file`): named and hashed in the manifest. */
  readonly strategyFile?: string | undefined;
}

/** What a backtest produced. */
export interface BacktestResult {
  readonly runId: string;
  readonly tag: string;
  readonly decisionsPath: string;
  readonly tradesPath: string;
  readonly manifestPath: string;
  readonly decisions: number;
  readonly performance: PerformanceStats;
  readonly trades: TradeStats;
  readonly inputHash: string;
  /** The part of the window that had bars to decide: the lake may end before the window does. */
  readonly coverage: WindowCoverage;
  /** What the operator should know about the result (a window cut short by the data, too short for statistics). */
  readonly warnings: readonly string[];
  readonly timings: { readonly loadMs: number; readonly runMs: number; readonly totalMs: number };
}

/** How much of a requested window the stored bars covered. */
export interface WindowCoverage {
  readonly slots: number;
  /** Close of the last slot decided: `end`, or the last stored bar when the lake ends sooner. */
  readonly decidedThrough: number;
  /** Slots of the window after the last stored bar, not decided. */
  readonly slotsAfterData: number;
}

/** A run's tag (`<tag>_bt_<RUNID>`) and the files it writes. */
function runPaths(layout: Lake['layout'], request: BacktestRequest) {
  const { stream } = request;
  const tag = `${stream.tag}_bt_${request.runId}`;
  return {
    tag,
    paths: {
      decisions: layout.decisions(tag, stream.symbol, stream.timeframe),
      trades: layout.trades(tag, stream.symbol, stream.timeframe),
      manifest: layout.manifest(request.runId),
    },
  };
}

/**
 * The window through the engine into `output` and `trades` (the input's hash taken meanwhile, while
 * formatting workers finish), timed.
 */
async function decideInto(
  engine: Engine,
  fed: BarSeries,
  request: BacktestRequest,
  output: DecisionOutput,
  trades: OutputFile,
): Promise<{ decided: DecidedWindow; inputHash: string; runMs: number }> {
  const { start, end, stream } = request;
  const began = performance.now();
  let inputHash = '';
  const decided = await decideWindow({
    engine,
    fed,
    slots: slotInputs(request.live?.decisions, { from: fed.ts[0]!, start, end }),
    start,
    end,
    stream: { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe },
    output,
    trades,
    explain: request.explain === true,
    whileFinishing: () => {
      inputHash = seriesHash(fed);
    },
  });
  return { decided, inputHash, runMs: performance.now() - began };
}

/** The window's coverage by `fed`, and what to say about it (and about too few bars decided for ratios). */
function coverageOf(
  fed: { ts: Float64Array; length: number },
  start: number,
  end: number,
  tfMs: number,
  decisions: number,
) {
  const slots = Math.floor((end - start) / tfMs) + 1;
  const last = fed.ts[fed.length - 1]!;
  const decidedThrough = Math.min(end, last);
  const slotsAfterData = Math.max(0, Math.round((end - decidedThrough) / tfMs));
  const warnings: string[] = [];
  if (slotsAfterData > 0)
    warnings.push(
      `the stored bars end at ${isoUtc(last)}: the last ${slotsAfterData} of the window's ${slots} slots ` +
        `(${((slotsAfterData / slots) * 100).toFixed(0)}%) were not decided; the manifest records the window decided`,
    );
  if (decisions < 2)
    warnings.push(
      `only ${decisions} bar decided: Sharpe, Sortino and drawdown need at least two bars of returns (n/a)`,
    );
  return { coverage: { slots, decidedThrough, slotsAfterData }, warnings };
}

/**
 * A deterministic windowed replay from the lake through the one engine: warmup bars update the state
 * and emit nothing; decisions, trades and the equity curve cover [start, end]. Writes the
 * `<tag>_bt_<RUNID>` trees and `runs/<RUNID>/manifest.json`, never over an existing run, and only
 * once complete (a failed run leaves nothing).
 */
export async function runBacktest(lake: Lake, request: BacktestRequest): Promise<BacktestResult> {
  const began = performance.now();
  const { spec, stream, start, end } = request;
  const layout = lake.layout;
  const { tag, paths } = runPaths(layout, request);
  const journalStream = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
  const engine = createEngine(spec);
  const constants = decisionConstants(journalStream, spec.strategy, engine.fingerprint);
  const threads = formatThreadsFor(request);
  // Started first, so the formatting workers start up while the lake is read.
  const threaded = threads > 0 ? new ThreadedOutput({ constants }, threads) : null;
  let files: OutputFile[] = [];
  try {
    const { fed, warmupBars, proven } = await loadBars(lake, stream, spec.strategy, request);
    const loadMs = performance.now() - began;
    files = await OutputFile.createAll([paths.decisions, paths.trades, paths.manifest]);
    const [decisionsFile, tradesFile, manifestFile] = files as [OutputFile, OutputFile, OutputFile];
    const output = threaded?.into(decisionsFile) ?? new InlineOutput(decisionsFile, constants);
    decisionsFile.write(`${DECISION_COLUMNS.join(',')}\n`);
    tradesFile.write(`${TRADE_COLUMNS.join(',')}\n`);
    const { decided, inputHash, runMs } = await decideInto(engine, fed, request, output, tradesFile);
    const { coverage, warnings } = coverageOf(fed, start, end, spec.timeframe.ms, decided.decisions);
    const timings = { loadMs, runMs, totalMs: performance.now() - began };
    const manifest = backtestManifest({
      request,
      tag,
      stream: journalStream,
      fingerprint: engine.fingerprint,
      paths,
      lake: layout.rawDir(journalStream),
      bars: { fed, warmupBars, proven, inputHash },
      decided,
      coverage,
      warnings,
      timings,
      threads,
    });
    manifestFile.write(manifestText(manifest));
    for (const file of files) await file.commit();
    return {
      runId: request.runId,
      tag,
      decisionsPath: paths.decisions,
      tradesPath: paths.trades,
      manifestPath: paths.manifest,
      decisions: decided.decisions,
      performance: decided.metrics.performance,
      trades: decided.metrics.trades,
      inputHash,
      coverage,
      warnings,
      timings,
    };
  } catch (error) {
    for (const file of files) await file.abort();
    throw error;
  } finally {
    await threaded?.close();
  }
}

/** Formatting threads for a run: none when it explains its decisions, the other cores for a large one. */
function formatThreadsFor(request: BacktestRequest): number {
  if (request.explain === true) return 0;
  if (request.formatThreads !== undefined) return request.formatThreads;
  const slots = Math.floor((request.end - request.start) / request.spec.timeframe.ms) + 1;
  return slots >= 100_000 ? formatThreads() : 0;
}
