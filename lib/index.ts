/**
 * `@mjolnir/lib`: the pure core every host imports cheaply (notebooks, the dashboard, health checks):
 * time, market data types and series, features, strategies, risk, metrics, the engine, configs and
 * the journal format. It loads neither ccxt, DuckDB, danfo nor TensorFlow.js. The areas that do are
 * subpath exports: `@mjolnir/lib/store` (the lake, DuckDB), `/exchange` (ccxt), `/sim`, `/live`,
 * `/backtest`, `/equivalence`, `/research` (danfo).
 */

import { assertKernelCheckout } from './core/index.js';

// A notebook of one checkout must not run on another checkout's kernel unnoticed (make lab).
assertKernelCheckout();

/** The schema library strategy parameters are written with, so a strategy file needs only this package. */
export { z } from 'zod';
export * from './config/index.js';
export * from './core/index.js';
export {
  ACTION_CODE,
  ACTIONS,
  type Action,
  type CostSpec,
  createEngine,
  createState,
  type Decision,
  decisionsOf,
  describeSpec,
  deserializeState,
  type Engine,
  type EngineContext,
  type EngineSpec,
  type EngineState,
  type ExitReason,
  type FillModel,
  type FillSpec,
  HOLD_REASONS,
  type HoldReason,
  type HostSkipReason,
  markToMarket,
  type OpenEvent,
  type Position,
  type PositionLabel,
  positionLabel,
  REASON_CODE,
  REASONS,
  type Reason,
  type ReplayInputs,
  type ReplayVisit,
  RUNNING,
  type RunResult,
  replay,
  type Side,
  type SizingSpec,
  SKIP_REASONS,
  type SkipReason,
  StepLog,
  StepOutput,
  type StepResult,
  serializeState,
  specDifferences,
  specFingerprint,
  specOfDescription,
  stableHash,
  TRADE_REASONS,
  type Trade,
  type TradeEvent,
  type TradeReason,
  WARMUP,
} from './engine/index.js';
export * from './features/index.js';
export * from './health/index.js';
export {
  type BadLines,
  CodeColumn,
  type ColumnSpec,
  CsvJournal,
  DataLayout,
  DECISION_COLUMNS,
  DECISION_SCHEMA,
  DecisionFold,
  DecisionJournal,
  type DecisionRow,
  type DecisionSink,
  DecisionTable,
  decisionLines,
  decisionRow,
  type EqflatVerdict,
  featuresCell,
  formatNumber,
  type JournalStream,
  JournalTail,
  type LineSource,
  type LiveManifest,
  type MonotonicPolicy,
  NumberColumn,
  type OpenedCsv,
  openRun,
  POSITION_CODE,
  parseNumber,
  RowCollector,
  type RowOf,
  type RunRefresh,
  type RunSummary,
  RunView,
  RunWatch,
  readDecisions,
  readEqflatVerdict,
  readManifest,
  readTrades,
  type TailRead,
  TRADE_COLUMNS,
  TRADE_SCHEMA,
  TradeJournal,
  type TradeRow,
  TradeTable,
  type TradeTotals,
  type TrailingDecision,
  type TrailingRead,
  tradeLines,
  tradeRow,
  trailingDecisions,
  type Venue,
  type WatchSnapshot,
  writeStep,
} from './journal/index.js';
export * from './market/index.js';
export * from './metrics/index.js';
export * from './risk/index.js';
export * from './strategy/index.js';
export * from './time/index.js';
