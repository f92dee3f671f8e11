import { MjolnirError } from '../core/index.js';
import type { MarketRules } from '../market/index.js';
import type { RiskSpec } from '../risk/index.js';
import { createStrategy, type Strategy } from '../strategy/index.js';
import { type Timeframe, type TimeframeLabel, timeframe } from '../time/index.js';
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
  /**
   * The market's order rules (amount step and minimum, price tick, minimum notional): quantities cut
   * to the step, stops set on the tick, entries under a minimum refused. None: orders as sized.
   */
  readonly marketRules?: MarketRules | undefined;
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
    // Only when set: a run's manifest keeps the rules it traded under.
    ...(spec.marketRules === undefined ? {} : { marketRules: spec.marketRules }),
  };
}

/**
 * A short stable hash of everything that determines decisions: saved state only restores under the
 * same one. The market's rules are not in it: they are the venue's, not the operator's, and a venue
 * changing its step must not stop a LIVE loop for good (the manifest keeps them; doctor says when they
 * changed).
 */
export function specFingerprint(spec: EngineSpec): string {
  const { marketRules: _rules, ...described } = describeSpec(spec);
  return stableHash(described);
}

/**
 * The engine spec a description (`describeSpec`, as a run manifest keeps it) stands for, when its
 * strategy is a built-in: the description is enough. Risk limits written as null are unlimited (JSON
 * has no Infinity). A strategy file or a model needs its config: an `input_invalid` error says so.
 */
export function specOfDescription(config: Readonly<Record<string, unknown>>): EngineSpec {
  const d = config as {
    timeframe: TimeframeLabel;
    strategy: { id: string; params: unknown };
    fill: EngineSpec['fill'];
    costs: EngineSpec['costs'];
    sizing: EngineSpec['sizing'];
    risk: Record<string, number | null>;
    initialCapital: number;
    marketRules?: MarketRules;
  };
  let strategy: Strategy;
  try {
    strategy = createStrategy(d.strategy.id, d.strategy.params);
  } catch {
    throw new MjolnirError(
      'input_invalid',
      `the run's strategy ${d.strategy.id} is not a built-in: pass the config that names its file or model (-c, CONFIG)`,
    );
  }
  const risk = Object.fromEntries(Object.entries(d.risk).map(([k, v]) => [k, v ?? Number.POSITIVE_INFINITY]));
  return {
    timeframe: timeframe(d.timeframe),
    strategy,
    fill: d.fill,
    costs: d.costs,
    sizing: d.sizing,
    risk: risk as unknown as EngineSpec['risk'],
    initialCapital: d.initialCapital,
    ...(d.marketRules === undefined ? {} : { marketRules: d.marketRules }),
  };
}

/** Where two spec descriptions differ, in words (`strategy.params.fast: 12 -> 10`), empty when alike. */
export function specDifferences(
  from: Readonly<Record<string, unknown>>,
  to: Readonly<Record<string, unknown>>,
): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    const objects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null;
    if (objects && !Array.isArray(a) && !Array.isArray(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const key of keys)
        walk(
          (a as Record<string, unknown>)[key],
          (b as Record<string, unknown>)[key],
          path === '' ? key : `${path}.${key}`,
        );
      return;
    }
    const text = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
    if (text(a) !== text(b)) out.push(`${path}: ${text(a)} -> ${text(b)}`);
  };
  walk(from, to, '');
  return out;
}
