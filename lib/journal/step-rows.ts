import { ACTIONS, positionLabel, REASONS, type StepOutput } from '../engine/index.js';
import { type Bar, barHash } from '../market/index.js';
import type { TsMs } from '../time/index.js';
import type { DecisionRow, JournalStream, StrategyName } from './decisions.js';

/**
 * Where the decision rows of engine steps go: the LIVE journal's rows, a backtest's file formatted in
 * this thread or on workers. Every host writes through `writeStep`, so a row means the same everywhere.
 */
export interface DecisionSink {
  /** The row of a step's own slot; `bar` is the bar decided (null for a host skip), `features` its text or ''. */
  decided(out: StepOutput, bar: Bar | null, features: string): void;
  /** The row of an empty slot at `ts` before the step's own: skip/bar_missing, the position carried. */
  missing(ts: number, out: StepOutput): void;
}

/**
 * The one mapping from an engine step to decision rows: nothing for a refused bar, else a row for each
 * empty slot before it, then its own, keeping those that close in [from, to] (a backtest's window).
 * Returns the rows written.
 */
export function writeStep(
  out: StepOutput,
  timeframeMs: number,
  sink: DecisionSink,
  bar: Bar | null,
  features: string,
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): number {
  if (!out.accepted) return 0;
  let rows = 0;
  for (let g = 0; g < out.gapCount; g++) {
    const ts = out.gapFirstTs + g * timeframeMs;
    if (ts < from || ts > to) continue;
    sink.missing(ts, out);
    rows++;
  }
  if (out.ts < from || out.ts > to) return rows;
  sink.decided(out, bar, features);
  return rows + 1;
}

/** A sink keeping rows as objects: the LIVE loop's, a few rows a bar, checked and appended by its journal. */
export class RowCollector implements DecisionSink {
  readonly rows: DecisionRow[] = [];

  constructor(
    private readonly stream: JournalStream,
    private readonly strategy: StrategyName,
    private readonly spec: string,
  ) {}

  decided(out: StepOutput, bar: Bar | null, features: string): void {
    this.rows.push({
      ...this.stream,
      ts_ms: out.ts as TsMs,
      action: ACTIONS[out.action]!,
      reason: REASONS[out.reason]!,
      position: positionLabel(out.side),
      close: out.close,
      stop: out.stop,
      qty: out.qty,
      fill_price: out.fillPrice,
      equity: out.equity,
      input_hash: bar === null ? '' : barHash(bar),
      features,
      strategy: this.strategy.id,
      model_id: this.strategy.modelId ?? '',
      spec: this.spec,
    });
  }

  missing(ts: number, out: StepOutput): void {
    this.rows.push({
      ...this.stream,
      ts_ms: ts as TsMs,
      action: 'skip',
      reason: 'bar_missing',
      position: positionLabel(out.gapSide),
      close: Number.NaN,
      stop: out.gapStop,
      qty: out.gapQty,
      fill_price: Number.NaN,
      equity: Number.NaN,
      input_hash: '',
      features: '',
      strategy: this.strategy.id,
      model_id: this.strategy.modelId ?? '',
      spec: this.spec,
    });
  }

  /** The rows collected since the last call. */
  take(): DecisionRow[] {
    return this.rows.splice(0);
  }
}
