// ByteSink, CELL_* and setCells are for the other areas of the library (the backtest's hot path),
// not the package surface (lib/index.ts leaves them out).
export { ByteSink } from './byte-sink.js';
export { CsvJournal, type CsvLine, type OpenedCsv } from './csv-file.js';
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
  DecisionJournal,
  type DecisionRow,
  decisionRow,
  type JournalStream,
  type MonotonicPolicy,
  parseDecision,
} from './decisions.js';
export { featuresCell } from './format.js';
export { type JournalRead, readDecisions, readTrades } from './read.js';
export {
  parseTrade,
  TRADE_COLUMNS,
  TradeJournal,
  TradeLines,
  type TradeRow,
  tradeCells,
  tradeRow,
} from './trades.js';
export { formatNumber, parseNumber } from './values.js';
