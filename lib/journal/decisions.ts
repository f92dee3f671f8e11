import type { Decision } from '../engine/index.js';
import type { DecisionRow } from './schema.js';

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
