export { DecisionEngine, type EngineContext, RUNNING, sameContext, WARMUP } from './advance.js';
export { decodeJson, encodeJson, fnv1a64, stableHash } from './codec.js';
export {
  ACTION_CODE,
  ACTIONS,
  type Action,
  type Decision,
  type ExitReason,
  HOLD_REASONS,
  type HoldReason,
  type HostSkipReason,
  type OpenEvent,
  type PositionLabel,
  positionLabel,
  REASON_CODE,
  REASONS,
  type Reason,
  type Side,
  SKIP_REASONS,
  type SkipReason,
  TRADE_REASONS,
  type Trade,
  type TradeEvent,
  type TradeReason,
} from './decision.js';
export { createEngine, type Engine, type RunResult, type StepResult } from './engine.js';
export { decisionsOf, StepOutput } from './output.js';
export { Replayer, type ReplayInputs, type ReplaySink, type ReplayVisit, replay } from './replay.js';
export {
  type CostSpec,
  describeSpec,
  type EngineSpec,
  type FillModel,
  type FillSpec,
  type SizingSpec,
  specDifferences,
  specFingerprint,
  specOfDescription,
} from './spec.js';
export {
  createState,
  deserializeState,
  type EngineState,
  markToMarket,
  type Position,
  serializeState,
} from './state.js';
// For the other areas of the library (the backtest's hot path), not the package surface.
export {
  NUMBER_CLOSE,
  NUMBER_EQUITY,
  NUMBER_FILL,
  NUMBER_QTY,
  NUMBER_SLOTS,
  NUMBER_STOP,
  NUMBER_TS,
  ROW_AFTER_GAP,
  ROW_DUPLICATE,
  ROW_NEXT,
  ROW_OUT_OF_ORDER,
  StepLog,
} from './step-log.js';
