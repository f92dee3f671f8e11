export { emaCrossAtr } from './ema-cross-atr.js';
export { restoreFeatures, snapshotFeatures } from './features.js';
export { createStrategy, isStrategyId, STRATEGIES } from './registry.js';
export { rsiReversion } from './rsi-reversion.js';
export { smaCross } from './sma-cross.js';
export type { FeatureSet, Signal, Strategy, StrategyDefinition, StrategyId } from './types.js';
export { convergenceBars, emaStable, wilderStable } from './warmup.js';
