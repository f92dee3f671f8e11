import type { RulesRefusal } from '../market/index.js';
import { REFUSAL_REASONS, type RefusalReason } from '../risk/index.js';
import type { TsMs } from '../time/index.js';

/** Everything a decision can do, in a fixed order (the index is the code used on hot paths). */
export const ACTIONS = [
  'skip',
  'hold',
  'enter_long',
  'enter_short',
  'exit_long',
  'exit_short',
  'reverse_to_long',
  'reverse_to_short',
] as const;

/** Why a bar was not evaluated. `fetch_failed` and `persist_failed` come from hosts; the rest from the bar sequence. */
export const SKIP_REASONS = [
  'not_enough_bars',
  'features_invalid',
  'bar_invalid',
  'bar_missing',
  'cadence_failed',
  'fetch_failed',
  'persist_failed',
] as const;

/** Why the position did not change on an evaluated bar. */
export const HOLD_REASONS = ['no_signal', 'in_position'] as const;

/** Why a position was opened, closed or reversed. */
export const TRADE_REASONS = [
  'entry_signal',
  'exit_signal',
  'stop_hit',
  'kill_switch_flatten',
  'reverse_signal',
] as const;

/** Why an entry was refused by the market's rules (its quantity under the minimum amount or value). */
export const RULES_REASONS = [
  'below_min_amount',
  'below_min_notional',
] as const satisfies readonly RulesRefusal[];

/** Every reason in a fixed order (the index is the code used on hot paths; new ones go last). */
export const REASONS = [
  ...SKIP_REASONS,
  ...HOLD_REASONS,
  ...REFUSAL_REASONS,
  ...TRADE_REASONS,
  ...RULES_REASONS,
] as const;

export type Action = (typeof ACTIONS)[number];
export type SkipReason = (typeof SKIP_REASONS)[number];
export type HoldReason = (typeof HOLD_REASONS)[number];
export type TradeReason = (typeof TRADE_REASONS)[number];
export type Reason = (typeof REASONS)[number];

/** Skip reasons a host reports for a bar it could not obtain or store. */
export type HostSkipReason = Extract<SkipReason, 'fetch_failed' | 'persist_failed' | 'bar_missing'>;

/** Position direction: -1 short, 0 flat, 1 long. */
export type Side = -1 | 0 | 1;

/** Position as written in decision rows. */
export type PositionLabel = 'flat' | 'long' | 'short';

/** Exit reasons; a refusal here means "exited on the signal, but the reversal's new entry was refused". */
export type ExitReason = 'exit_signal' | 'stop_hit' | 'kill_switch_flatten' | RefusalReason;

interface DecisionCommon {
  /** Close time of the bar decided (docs/contracts.md). */
  readonly ts_ms: TsMs;
  /** Position once this decision takes effect (with next-open fills, from the next bar's open). */
  readonly position: PositionLabel;
  /** The bar's close; NaN for a bar that is missing. */
  readonly close: number;
  /** Protective stop after this decision; NaN when flat or without a stop. */
  readonly stop: number;
  /** Position size after this decision, in base units. */
  readonly qty: number;
  /** Price of a fill made at this bar's close or at its stop; NaN if none. */
  readonly fill_price: number;
}

/** One decision per closed bar, the action and its reason forming a discriminated union. */
export type Decision = DecisionCommon &
  (
    | { readonly action: 'skip'; readonly reason: SkipReason }
    | { readonly action: 'hold'; readonly reason: HoldReason | RefusalReason }
    | { readonly action: 'enter_long' | 'enter_short'; readonly reason: 'entry_signal' }
    | { readonly action: 'exit_long' | 'exit_short'; readonly reason: ExitReason }
    | { readonly action: 'reverse_to_long' | 'reverse_to_short'; readonly reason: 'reverse_signal' }
  );

/** A fill that opened a position. */
export interface OpenEvent {
  readonly kind: 'open';
  /** Close time of the bar whose decision placed the order. */
  readonly decision_ts_ms: TsMs;
  readonly side: 1 | -1;
  readonly price: number;
  readonly qty: number;
  readonly fee: number;
  readonly stop: number;
}

/** A fill that closed a position: one row of trades.csv. */
export interface Trade {
  readonly kind: 'close';
  readonly entry_ts_ms: TsMs;
  readonly exit_ts_ms: TsMs;
  readonly side: 1 | -1;
  readonly entry_price: number;
  readonly exit_price: number;
  readonly qty: number;
  readonly exit_reason: 'exit_signal' | 'stop_hit' | 'kill_switch_flatten' | 'reverse_signal';
  /** Net of both fills' fees. */
  readonly pnl: number;
  readonly fees: number;
}

/** What a step reports about fills. */
export type TradeEvent = OpenEvent | Trade;

/** The text label of a side. */
export function positionLabel(side: Side): PositionLabel {
  return side === 1 ? 'long' : side === -1 ? 'short' : 'flat';
}

// Written out as literals (checked against the arrays in decision.test.ts): V8 folds loads from a
// literal constant object, while an object built key by key can end up a hash table on the hot path.

/** Code of an action (its index in ACTIONS). */
export const ACTION_CODE = {
  skip: 0,
  hold: 1,
  enter_long: 2,
  enter_short: 3,
  exit_long: 4,
  exit_short: 5,
  reverse_to_long: 6,
  reverse_to_short: 7,
} as const satisfies Record<Action, number>;

/** Code of a reason (its index in REASONS). */
export const REASON_CODE = {
  not_enough_bars: 0,
  features_invalid: 1,
  bar_invalid: 2,
  bar_missing: 3,
  cadence_failed: 4,
  fetch_failed: 5,
  persist_failed: 6,
  no_signal: 7,
  in_position: 8,
  kill_switch: 9,
  risk_max_position: 10,
  risk_max_order: 11,
  risk_daily_loss: 12,
  risk_order_rate: 13,
  entry_signal: 14,
  exit_signal: 15,
  stop_hit: 16,
  kill_switch_flatten: 17,
  reverse_signal: 18,
  below_min_amount: 19,
  below_min_notional: 20,
} as const satisfies Record<Reason, number>;
