import type { RiskSpec } from '../risk/index.js';
import type { Strategy } from '../strategy/index.js';
import type { Timeframe } from '../time/index.js';
import { stableHash } from './codec.js';

/** When an order fills: at the deciding bar's close, or at the next bar's open. */
export type FillModel = 'close' | 'next_open';

/** How fills are simulated. */
export interface FillSpec {
  readonly model: FillModel;
  /** A bar that opens through the stop fills at its open instead of at the stop price. */
  readonly stopThrough: boolean;
}

/** Costs per fill, in basis points of the fill's notional / price. */
export interface CostSpec {
  readonly feeBps: number;
  /** Adverse price adjustment applied to every fill. */
  readonly slippageBps: number;
}

/** Position sizing at entry. */
export type SizingSpec =
  /** Quote currency per entry: `notional / price` units. */
  | { readonly mode: 'fixed_notional'; readonly notional: number }
  /** A fraction of equity (capital plus realised PnL) per entry. */
  | { readonly mode: 'equity_fraction'; readonly fraction: number }
  /** A fixed quantity of the base asset per entry ("buy 1 unit": backtrader's size=1). */
  | { readonly mode: 'fixed_quantity'; readonly quantity: number };

/** Everything that determines decisions besides the bars: compiled from a config. */
export interface EngineSpec {
  readonly timeframe: Timeframe;
  readonly strategy: Strategy;
  readonly fill: FillSpec;
  readonly costs: CostSpec;
  readonly sizing: SizingSpec;
  readonly risk: RiskSpec;
  readonly initialCapital: number;
}

/** The decision-relevant content of a spec as plain data (what the fingerprint covers). */
export function describeSpec(spec: EngineSpec): Record<string, unknown> {
  return {
    timeframe: spec.timeframe.label,
    strategy: {
      id: spec.strategy.id,
      params: spec.strategy.params,
      ...(spec.strategy.modelId === undefined ? {} : { model: spec.strategy.modelId }),
    },
    fill: spec.fill,
    costs: spec.costs,
    sizing: spec.sizing,
    risk: spec.risk,
    initialCapital: spec.initialCapital,
  };
}

/** A short stable hash of everything that determines decisions: saved state only restores under the same one. */
export function specFingerprint(spec: EngineSpec): string {
  return stableHash(describeSpec(spec));
}
