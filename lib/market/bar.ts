import type { TsMs } from '../time/index.js';

/** One OHLCV bar keyed by its CLOSE time. Prices in quote currency, volume in base units. */
export interface Bar {
  readonly ts: TsMs;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** A bar whose fields a host overwrites in place, so hot loops feed the engine without allocating. */
export interface MutableBar {
  ts: TsMs;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** What can be wrong with one bar's values (sequence problems are judged by the engine or the reader). */
export type BarDefect =
  | 'non_finite'
  | 'non_positive_price'
  | 'high_below_low'
  | 'open_close_outside_range'
  | 'negative_volume';

/**
 * The first defect of a bar's values, or null for a usable bar. Takes the bar rather than five numbers:
 * doubles passed to a call V8 does not inline are boxed, and this runs once per bar on hot paths.
 */
export function barDefect(bar: Omit<Bar, 'ts'>): BarDefect | null {
  const { open, high, low, close, volume } = bar;
  if (
    !Number.isFinite(open) ||
    !Number.isFinite(high) ||
    !Number.isFinite(low) ||
    !Number.isFinite(close) ||
    !Number.isFinite(volume)
  ) {
    return 'non_finite';
  }
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return 'non_positive_price';
  if (high < low) return 'high_below_low';
  if (open > high || open < low || close > high || close < low) return 'open_close_outside_range';
  if (volume < 0) return 'negative_volume';
  return null;
}

/**
 * True when `barDefect(bar)` is null, as one short expression (NaN fails every comparison), small
 * enough for hot loops to inline; `barDefect` says what is wrong when this is false.
 */
export function isUsableBar(bar: Omit<Bar, 'ts'>): boolean {
  return usableValues(bar.open, bar.high, bar.low, bar.close, bar.volume);
}

/** isUsableBar of a bar's values, for loops that read them from columns. */
export function usableValues(
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): boolean {
  return (
    low > 0 &&
    high < Number.POSITIVE_INFINITY &&
    high >= low &&
    open >= low &&
    open <= high &&
    close >= low &&
    close <= high &&
    volume >= 0 &&
    volume < Number.POSITIVE_INFINITY
  );
}

/** A new mutable bar, for hosts that refill one object per bar. */
export function mutableBar(): MutableBar {
  return {
    // NaN rather than 0: every field then starts as a double, the representation V8 keeps for it.
    ts: Number.NaN as TsMs,
    open: Number.NaN,
    high: Number.NaN,
    low: Number.NaN,
    close: Number.NaN,
    volume: Number.NaN,
  };
}
