import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describeSpec } from '../engine/index.js';
import type { BacktestManifest, JournalStream } from '../journal/index.js';
import type { BacktestRequest } from './backtest.js';
import type { DecidedWindow } from './decide.js';
import type { FedBars } from './inputs.js';

/** A file's path and SHA-256: which code a run's strategy was. */
function fileIdentity(path: string): { path: string; sha256: string } {
  return { path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
}

/** What a finished backtest records of itself (`runs/<RUNID>/manifest.json`, schema in the journal's run-manifest.ts). */
export function backtestManifest(run: {
  readonly request: BacktestRequest;
  readonly tag: string;
  readonly stream: JournalStream;
  readonly fingerprint: string;
  readonly paths: { readonly decisions: string; readonly trades: string };
  /** The lake folder the bars were read from. */
  readonly lake: string;
  readonly bars: FedBars & { readonly inputHash: string };
  readonly decided: DecidedWindow;
  readonly coverage: {
    readonly slots: number;
    readonly decidedThrough: number;
    readonly slotsAfterData: number;
  };
  readonly warnings: readonly string[];
  readonly timings: { readonly loadMs: number; readonly runMs: number; readonly totalMs: number };
  readonly threads: number;
}): BacktestManifest {
  const { request, decided, coverage, timings } = run;
  const { spec, start, end } = request;
  const { fed, warmupBars, proven, inputHash } = run.bars;
  const position = decided.state.position;
  return {
    kind: 'backtest',
    run_id: request.runId,
    tag: run.tag,
    live_tag: request.live?.tag ?? null,
    stream: run.stream,
    created_at: new Date(request.now).toISOString(),
    code_version: request.codeVersion,
    spec: run.fingerprint,
    config: describeSpec(spec),
    strategy_file: request.strategyFile === undefined ? null : fileIdentity(request.strategyFile),
    window: { start_ts_ms: start, end_ts_ms: end },
    decided: {
      first_ts_ms: start,
      last_ts_ms: coverage.decidedThrough,
      slots: coverage.slots,
      slots_after_data: coverage.slotsAfterData,
    },
    warnings: [...run.warnings],
    warmup: {
      from_ts_ms: fed.ts[0]!,
      bars: warmupBars,
      declared_stable_bars: spec.strategy.stableWarmupBars,
      proven,
    },
    input: {
      lake: run.lake,
      bars: fed.length,
      first_ts_ms: fed.ts[0]!,
      last_ts_ms: fed.ts[fed.length - 1]!,
      sha256: inputHash,
    },
    outputs: {
      decisions: run.paths.decisions,
      trades: run.paths.trades,
      decision_rows: decided.decisions,
      equity_curve: 'decisions.csv, column equity',
      format_threads: run.threads,
    },
    open_position_at_end: position.side === 0 ? null : { side: position.side, entry_ts_ms: position.entryTs },
    metrics: { ...decided.metrics.performance, trades: decided.metrics.trades },
    timings: { load_ms: timings.loadMs, run_ms: timings.runMs, total_ms: timings.totalMs },
    status: 'ok',
  };
}
