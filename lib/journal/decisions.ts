import type { Action, Decision, PositionLabel, Reason } from '../engine/index.js';
import type { TsMs } from '../time/index.js';

/** decisions.csv columns: the first four are fixed by docs/contracts.md (operators `awk -F, '$4==TS'`). */
export const DECISION_COLUMNS = [
  'exchange',
  'symbol',
  'timeframe',
  'ts_ms',
  'action',
  'reason',
  'position',
  'close',
  'stop',
  'qty',
  'fill_price',
  'equity',
  'input_hash',
  'features',
  'strategy',
  'model_id',
  'spec',
  'time_utc',
] as const;

/** One decisions.csv row. */
export interface DecisionRow {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly ts_ms: TsMs;
  readonly action: Action;
  readonly reason: Reason;
  readonly position: PositionLabel;
  readonly close: number;
  readonly stop: number;
  readonly qty: number;
  readonly fill_price: number;
  /** Capital plus realised and unrealised PnL, marked at this bar's close (NaN without a close): the equity curve. */
  readonly equity: number;
  /** Fingerprint of the bar decided (lib/market/hash.ts); empty when there was no bar. */
  readonly input_hash: string;
  /** The strategy's feature values, `name=value;...`. */
  readonly features: string;
  readonly strategy: string;
  /** The trained model a model strategy decided with (its content hash, `models/<model_id>/`); empty otherwise. */
  readonly model_id: string;
  /** Fingerprint of the engine spec (config) the decision was made under. */
  readonly spec: string;
}

/** Identifies the stream a journal belongs to. */
export interface JournalStream {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
}

/** A decision as a row, with what explains it. */
export function decisionRow(
  stream: JournalStream,
  decision: Decision,
  extra: {
    equity: number;
    inputHash: string;
    features: string;
    strategy: string;
    modelId: string;
    spec: string;
  },
): DecisionRow {
  return {
    ...stream,
    ts_ms: decision.ts_ms,
    action: decision.action,
    reason: decision.reason,
    position: decision.position,
    close: decision.close,
    stop: decision.stop,
    qty: decision.qty,
    fill_price: decision.fill_price,
    equity: extra.equity,
    input_hash: extra.inputHash,
    features: extra.features,
    strategy: extra.strategy,
    model_id: extra.modelId,
    spec: extra.spec,
  };
}

/** What to do about a row whose ts_ms is not after the last one (docs/contracts.md). */
export interface MonotonicPolicy {
  /** ENFORCE_DECISION_MONOTONIC=1: fail fast. Otherwise the row is refused and reported. */
  readonly enforce: boolean;
  readonly onRefused: (row: DecisionRow, lastTs: number) => void;
}

/** The strategy a stream's rows are decided by, as its rows name it. */
export interface StrategyName {
  readonly id: string;
  readonly modelId?: string | undefined;
}

/** The name alone, as plain data (what crosses to a formatting worker). */
export function strategyName(strategy: StrategyName): StrategyName {
  return strategy.modelId === undefined
    ? { id: strategy.id }
    : { id: strategy.id, modelId: strategy.modelId };
}

/** The `strategy,model_id` cells of a strategy's rows (what the line writers take as one string). */
export function strategyCells(strategy: StrategyName): string {
  return `${strategy.id},${strategy.modelId ?? ''}`;
}
