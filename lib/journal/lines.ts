/** Rows given as objects written as CSV lines: the journals' appends, tests, anything not on a hot path. */
import { Batch } from './batch.js';
import { ByteSink } from './byte-sink.js';
import { DECISIONS, type RowCodec, TRADES } from './row-codec.js';
import type { DecisionRow, RowOf, Schema, TradeRow } from './schema.js';

/** The lines of `rows`, newline included, in column order (a batch per run of rows with the same fixed cells). */
export function linesOf<S extends Schema>(codec: RowCodec<S>, rows: readonly RowOf<S>[]): string {
  const sink = new ByteSink(256 * Math.max(1, rows.length));
  let batch: Batch<S> | null = null;
  for (const row of rows) {
    if (batch === null || !codec.hasConstants(row, batch.constants)) {
      batch?.encode(sink);
      batch = new Batch(codec, codec.constantsOf(row), rows.length);
    }
    batch.push(row);
  }
  batch?.encode(sink);
  return sink.textFrom(0);
}

/** decisions.csv lines of `rows`. */
export function decisionLines(rows: readonly DecisionRow[]): string {
  return linesOf(DECISIONS, rows);
}

/** trades.csv lines of `rows`. */
export function tradeLines(rows: readonly TradeRow[]): string {
  return linesOf(TRADES, rows);
}
