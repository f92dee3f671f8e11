export {
  defineStrategy,
  isStrategyDefinition,
  STRATEGY_DEFINITION,
  STRATEGY_ID_PATTERN,
  type StrategyBlueprint,
} from './define.js';
export { emaCrossAtr } from './ema-cross-atr.js';
export { restoreFeatures, snapshotFeatures } from './features.js';
export { strategiesInFile, strategyFromFile } from './file.js';
export {
  denseLayers,
  type LoadedModel,
  type ModelInputs,
  type ModelJson,
  type ModelManifest,
  modelIdOf,
  readModel,
} from './model/artifact.js';
export {
  MODEL_CLASSIFIER_ID,
  modelClassifier,
  modelClassifierParams,
  modelFeatures,
} from './model/classifier.js';
export { MODEL_FEATURE_NAMES, MODEL_FEATURES_VERSION } from './model/features.js';
export { type Activation, type DenseLayer, DensePredictor, type Scaler } from './model/predictor.js';
export { builtinStrategy, createStrategy, isStrategyId, STRATEGIES } from './registry.js';
export { rsiReversion } from './rsi-reversion.js';
export { smaCross } from './sma-cross.js';
export type {
  FeatureSet,
  Signal,
  Strategy,
  StrategyDefinition,
  StrategyId,
  StrategyParams,
  StrategyRules,
} from './types.js';
export { convergenceBars, emaStable, wilderStable } from './warmup.js';
