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
