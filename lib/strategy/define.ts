import type { z } from 'zod';
import { MjolnirError } from '../core/index.js';
import type { FeatureSet, Strategy, StrategyDefinition, StrategyParams, StrategyRules } from './types.js';

/** Marks definitions made by defineStrategy, across copies of the package (a file strategy loads its own). */
export const STRATEGY_DEFINITION: unique symbol = Symbol.for('mjolnir.strategy-definition');

/** A strategy id: what the `strategy` column and the spec fingerprint carry. */
export const STRATEGY_ID_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** What a strategy author writes: an id, a parameter schema and the rules built from parsed parameters. */
export interface StrategyBlueprint<P extends StrategyParams, F extends FeatureSet> {
  /** Lower case letters, digits and `_`, starting with a letter (it is written in every decision row). */
  readonly id: string;
  /** One line for `mjolnir strategies` and notebooks. */
  readonly summary: string;
  /** A zod object schema with defaults: what `strategy.params` may hold. */
  readonly params: z.ZodType<P, unknown>;
  /** Fresh indicator state for these parameters: indicators and plain numbers (snapshotted by the paper loop). */
  features(params: P): F;
  /** The rules for these parameters, as a plain object (their `features` argument is typed from `features`). */
  rules(params: P): StrategyRules<F>;
}

const RULES = ['update', 'valid', 'entry', 'exitLong', 'exitShort', 'stopDistance', 'describe'];

function refuse(id: string, message: string): never {
  throw new MjolnirError('input_invalid', `strategy ${id}: ${message}`);
}

/** The rules a rules() returned, checked: what the engine relies on without looking again. */
function checkRules(id: string, rules: StrategyRules<FeatureSet>): void {
  if (typeof rules !== 'object' || rules === null || Object.getPrototypeOf(rules) !== Object.prototype)
    refuse(id, 'rules() must return a plain object');
  for (const name of RULES)
    if (typeof (rules as unknown as Record<string, unknown>)[name] !== 'function')
      refuse(id, `rules() returned no ${name}() function`);
  if (rules.trail !== undefined && typeof rules.trail !== 'function') refuse(id, 'trail must be a function');
  if (!Number.isInteger(rules.warmupBars) || rules.warmupBars < 1)
    refuse(id, `warmupBars must be a positive integer, got ${String(rules.warmupBars)}`);
  if (!Number.isInteger(rules.stableWarmupBars) || rules.stableWarmupBars < rules.warmupBars)
    refuse(
      id,
      `stableWarmupBars must be an integer >= warmupBars (${rules.warmupBars}), got ${String(rules.stableWarmupBars)}`,
    );
  if (typeof rules.allowShort !== 'boolean') refuse(id, 'allowShort must be true or false');
}

/**
 * Defines a strategy, typed end to end: `features` and `rules` receive the parameters exactly as the
 * schema parses them, and the type `features` returns flows into every rule. The result is what configs name, the
 * registry holds, and every host (backtest, paper loop, sweep, lookahead proof, notebooks) accepts.
 *
 * ```ts
 * export default defineStrategy({
 *   id: 'breakout', summary: 'close above the highest high of N bars',
 *   params: z.strictObject({ bars: z.number().int().min(2).default(20) }),
 *   features: (p) => ({ high: new RollingWindow(p.bars), close: Number.NaN }),
 *   rules: (p) => ({ warmupBars: p.bars + 1, update(f, bar) { ... }, ... }),
 * });
 * ```
 */
export function defineStrategy<P extends StrategyParams, F extends FeatureSet>(
  blueprint: StrategyBlueprint<P, F>,
): StrategyDefinition {
  const { id, summary, params } = blueprint;
  if (typeof id !== 'string' || !STRATEGY_ID_PATTERN.test(id))
    throw new MjolnirError(
      'input_invalid',
      `strategy id ${JSON.stringify(id)}: lower case letters, digits and "_", starting with a letter`,
    );
  if (typeof params?.safeParse !== 'function')
    refuse(id, 'params must be a zod schema (e.g. z.strictObject({...}))');
  if (typeof blueprint.features !== 'function' || typeof blueprint.rules !== 'function')
    refuse(id, 'features(params) and rules(params) must be functions');
  const build = (parsed: P): Strategy => {
    const rules = blueprint.rules(parsed);
    checkRules(id, rules);
    const strategy: Strategy<F> = {
      ...rules,
      id,
      params: parsed,
      createFeatures: () => blueprint.features(parsed),
    };
    return strategy;
  };
  return {
    [STRATEGY_DEFINITION]: true,
    id,
    summary,
    params,
    create(raw: unknown = {}): Strategy {
      const parsed = params.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        refuse(id, `params.${issue.path.join('.')}: ${issue.message}`);
      }
      return build(parsed.data);
    },
  };
}

/** True when `value` was made by defineStrategy (by this copy of the package or another). */
export function isStrategyDefinition(value: unknown): value is StrategyDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[STRATEGY_DEFINITION] === true
  );
}
