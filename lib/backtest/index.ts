export {
  type BacktestRequest,
  type BacktestResult,
  type LiveInputs,
  runBacktest,
  seriesHash,
  type WindowCoverage,
} from './backtest.js';
export { formatThreads } from './decision-output.js';
export {
  expandGrid,
  type Grid,
  MAX_COMBINATIONS,
  type ParamSet,
  type ParamValue,
  parseGrid,
  parseGridAxis,
} from './grid.js';
export { type LiveDecisions, type SlotInputs, slotInputs } from './inputs.js';
export {
  checkLookahead,
  evenCuts,
  type LookaheadReport,
  type LookaheadViolation,
} from './lookahead.js';
export { OutputFile } from './output-file.js';
export { type RunMetrics, RunRecorder } from './recorder.js';
export {
  evaluateSets,
  isSweepMetric,
  rankSweep,
  runSweep,
  SWEEP_METRICS,
  type SweepJob,
  type SweepMetric,
  type SweepRequest,
  type SweepRow,
  sweepValue,
} from './sweep.js';
export { evaluateParams, type SweepOutcome, type SweepWindow, specWith } from './sweep-run.js';
export { checkWarmup, type WarmupCheck } from './warmup-check.js';
