// ByteSink, CELL_* and setCells are for the other areas of the library (the backtest's hot path),
// not the package surface (lib/index.ts leaves them out).
export { ByteSink } from './byte-sink.js';
export { CodeColumn, Dictionary, NumberColumn } from './columns.js';
export { CsvJournal, type OpenedCsv } from './csv-file.js';
export { DecisionJournal } from './decision-journal.js';
export {
  CELL_CLOSE,
  CELL_EQUITY,
  CELL_FILL,
  CELL_QTY,
  CELL_STOP,
  CELL_TS,
  DecisionLines,
  setCells,
} from './decision-lines.js';
export {
  DECISION_COLUMNS,
  type DecisionRow,
  decisionRow,
  type JournalStream,
  type MonotonicPolicy,
  type StrategyName,
  strategyCells,
  strategyName,
} from './decisions.js';
export { DecisionFold } from './fold.js';
export { featuresCell } from './format.js';
export { DataLayout } from './layout.js';
export {
  type EqflatVerdict,
  type LiveManifest,
  readEqflatVerdict,
  readManifest,
  type Venue,
} from './live-manifest.js';
export { readDecisions, readTrades } from './read.js';
export { openRun, type RunRefresh, type RunSummary, RunView } from './run.js';
export { type DecisionSink, RowCollector, writeStep } from './step-rows.js';
export { DecisionTable, type LineSource, TradeTable } from './table.js';
export { JournalTail, type TailRead } from './tail.js';
export { TradeJournal } from './trade-journal.js';
export {
  TRADE_COLUMNS,
  TradeLines,
  type TradeRow,
  tradeCells,
  tradeRow,
} from './trades.js';
export { type TrailingDecision, type TrailingRead, trailingDecisions } from './trailing.js';
export { formatNumber, parseNumber } from './values.js';
export { type BadLines, RunWatch, type TradeTotals, type WatchSnapshot } from './watch.js';
