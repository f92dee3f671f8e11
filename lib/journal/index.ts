// Batches, their data and encodeBatch are for the other areas of the library (the backtest's hot
// path, formatting workers), not the package surface (lib/index.ts leaves them out). ByteSink is the
// buffer encodeBatch writes into; how it formats is the journal's own.
export { Batch, type BatchData, encodeBatch } from './batch.js';
export { ByteSink } from './byte-sink.js';
export { CodeColumn, Dictionary, NumberColumn } from './columns.js';
export { CsvJournal, type OpenedCsv } from './csv-file.js';
export { DecisionJournal } from './decision-journal.js';
export {
  decisionRow,
  type JournalStream,
  type MonotonicPolicy,
  type StrategyName,
} from './decisions.js';
export { DecisionFold } from './fold.js';
export { featuresCell } from './format.js';
export { DataLayout } from './layout.js';
export { decisionLines, linesOf, tradeLines } from './lines.js';
export {
  type EqflatVerdict,
  type LiveManifest,
  readEqflatVerdict,
  readManifest,
  type Venue,
} from './live-manifest.js';
export { readDecisions, readTrades } from './read.js';
export { DECISIONS, RowCodec, TRADES } from './row-codec.js';
export { openRun, type RunRefresh, type RunSummary, RunView } from './run.js';
export { type BacktestManifest, readBacktestManifest } from './run-manifest.js';
export {
  type ColumnKind,
  type ColumnSpec,
  type ConstantsOf,
  columnNames,
  DECISION_COLUMNS,
  DECISION_SCHEMA,
  type DecisionRow,
  EXIT_REASONS,
  POSITION_CODE,
  POSITIONS,
  type RowOf,
  type Schema,
  TRADE_COLUMNS,
  TRADE_SCHEMA,
  TRADE_SIDES,
  type TradeRow,
} from './schema.js';
export {
  type DecisionConstants,
  type DecisionSink,
  decisionConstants,
  RowCollector,
  StepBatch,
  writeStep,
} from './step-rows.js';
export { DecisionTable, type LineSource } from './table.js';
export { JournalTail, type TailRead } from './tail.js';
export { TradeJournal } from './trade-journal.js';
export { TradeTable } from './trade-table.js';
export { TradeBatch, tradeRow } from './trades.js';
export { type TrailingDecision, type TrailingRead, trailingDecisions } from './trailing.js';
export { formatNumber, parseNumber } from './values.js';
export { type BadLines, RunWatch, type TradeTotals, type WatchSnapshot } from './watch.js';
