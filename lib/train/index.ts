export { loadNetwork, type ModelFiles, modelFiles, modelInMemory, saveModel } from './artifacts.js';
export {
  BACKENDS,
  type Backend,
  type BackendName,
  backendFromEnv,
  installedBackend,
  selectBackend,
  type TfModule,
} from './backend.js';
export {
  buildDataset,
  type Dataset,
  type DatasetOptions,
  type DroppedRows,
  describeDropped,
  type LabelKind,
} from './dataset.js';
export { trainAll } from './fold-pool.js';
export { type FoldFit, type FoldJob, runFoldJob } from './fold-work.js';
export { checkDatasetLookahead, type DatasetLookaheadReport, type DatasetViolation } from './lookahead.js';
export { type ClassifierScores, classifierScores } from './metrics.js';
export {
  DRIFT_PSI,
  type DriftScore,
  type Freshness,
  featureDrift,
  freshness,
  MODERATE_PSI,
  type OosVerdict,
  psi,
  type TsWindow,
  validateOos,
} from './monitors.js';
export {
  buildNetwork,
  DEFAULT_HYPERPARAMETERS,
  type EpochLog,
  type FitResult,
  fitNetwork,
  fitScaler,
  type ModelHyperparameters,
  type Rows,
  scaleRows,
} from './network.js';
export {
  type FoldReport,
  type FoldSpec,
  foldJob,
  inputsOf,
  type TimeWindow,
  type TrainRequest,
  type TrainResult,
  trainingDataset,
  trainModel,
} from './pipeline.js';
export { seededPermutation } from './random.js';
export { type Fold, type Range, type WalkForwardOptions, walkForward } from './walk-forward.js';
