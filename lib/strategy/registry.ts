import { MjolnirError } from '../core/index.js';
import { emaCrossAtr } from './ema-cross-atr.js';
import { rsiReversion } from './rsi-reversion.js';
import { smaCross } from './sma-cross.js';
import type { Strategy, StrategyDefinition, StrategyId } from './types.js';

/** Every built-in strategy by id. */
export const STRATEGIES: Readonly<Record<StrategyId, StrategyDefinition>> = {
  ema_cross_atr: emaCrossAtr,
  sma_cross: smaCross,
  rsi_reversion: rsiReversion,
};

/** True when `id` names a built-in strategy. */
export function isStrategyId(id: string): id is StrategyId {
  return Object.hasOwn(STRATEGIES, id);
}

/** The built-in definition of `id`; an unknown id is an `input_invalid` error listing the built-ins. */
export function builtinStrategy(id: string): StrategyDefinition {
  if (!isStrategyId(id)) {
    throw new MjolnirError(
      'input_invalid',
      `unknown strategy "${id}"; expected one of ${Object.keys(STRATEGIES).join(', ')} or a strategy.file`,
    );
  }
  return STRATEGIES[id];
}

/** Builds a built-in strategy from its id and raw parameters, validating them; bad input is an `input_invalid` error. */
export function createStrategy(id: string, rawParams: unknown = {}): Strategy {
  return builtinStrategy(id).create(rawParams);
}
