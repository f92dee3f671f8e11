import { MjolnirError } from '../core/index.js';
import { emaCrossAtr } from './ema-cross-atr.js';
import { rsiReversion } from './rsi-reversion.js';
import { smaCross } from './sma-cross.js';
import type { Strategy, StrategyDefinition, StrategyId } from './types.js';

/** Every built-in strategy by id. */
export const STRATEGIES: Readonly<Record<StrategyId, StrategyDefinition<Record<string, number | boolean>>>> =
  {
    ema_cross_atr: emaCrossAtr as unknown as StrategyDefinition<Record<string, number | boolean>>,
    sma_cross: smaCross as unknown as StrategyDefinition<Record<string, number | boolean>>,
    rsi_reversion: rsiReversion as unknown as StrategyDefinition<Record<string, number | boolean>>,
  };

/** True when `id` names a built-in strategy. */
export function isStrategyId(id: string): id is StrategyId {
  return Object.hasOwn(STRATEGIES, id);
}

/** Builds a strategy from its id and raw parameters, validating them; bad input is an `input_invalid` error. */
export function createStrategy(id: string, rawParams: unknown = {}): Strategy {
  if (!isStrategyId(id)) {
    throw new MjolnirError(
      'input_invalid',
      `unknown strategy "${id}"; expected one of ${Object.keys(STRATEGIES).join(', ')}`,
    );
  }
  const definition = STRATEGIES[id];
  const parsed = definition.params.safeParse(rawParams);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MjolnirError(
      'input_invalid',
      `strategy ${id}: params.${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return definition.create(parsed.data);
}
