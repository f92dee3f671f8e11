export { CsvJournal, type CsvLine, type OpenedCsv } from './csv-file.js';
export { DecisionLines } from './decision-lines.js';
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
