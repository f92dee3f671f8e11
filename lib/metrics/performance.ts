/** Mark-to-market equity, bar by bar. */
export interface EquityCurve {
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  /** 1 where a position was held after the bar's decision. */
  readonly inPosition: Uint8Array;
}

/**
 * Annualised ratios need this many days of returns, and at least as many returns: the standard error
 * of an annualised Sharpe is about sqrt(365 / days), so a 4-hour backtest's "Sharpe -61.94" is noise
 * (about ±200); from 30 days it is about ±3.5.
 */
export const MIN_RATIO_DAYS = 30;
export const MIN_RATIO_RETURNS = 30;

/** How the ratios are annualised, said wherever they are shown. */
export const ANNUALISATION =
  'Sharpe and Sortino annualised: mean per-bar return over its deviation x sqrt(bars per year), risk-free rate 0';

/** What the equity curve says, annualised with the bars per year of the timeframe. */
export interface PerformanceStats {
  readonly bars: number;
  readonly totalReturn: number;
  /**
   * Mean over standard deviation of per-bar returns, times sqrt(bars per year); risk-free rate 0.
   * NaN (n/a) below the minimum sample (`ratioNote` says why).
   */
  readonly sharpe: number;
  /** Like Sharpe, over the downside deviation (returns below 0 only). */
  readonly sortino: number;
  /** Why Sharpe and Sortino are n/a, or null when they are computed. */
  readonly ratioNote: string | null;
  readonly maxDrawdown: number;
  readonly maxDrawdownFraction: number;
  /** Fraction of bars with a position. */
  readonly exposure: number;
}

/** Running sums over a curve, by their index in the accumulator `accumulate` carries from chunk to chunk. */
const HELD = 0;
const SUM = 1;
const SQUARES = 2;
const DOWNSIDE = 3;
const PEAK = 4;
const DRAWDOWN = 5;
const FRACTION = 6;
/** Points per `accumulate` call. */
const CHUNK = 1 << 14;

/**
 * Adds points [from, to) of a curve to the running sums in `sums`. The loop is its own function,
 * called chunk by chunk: V8 optimises it once and keeps it. As one loop over a whole curve, in a
 * function called once per run, it ran in the interpreter until its optimised code was ready and left
 * that code at the first line past the loop (never run, so never typed): every run, every double a
 * boxed allocation.
 */
function accumulate(
  sums: Float64Array,
  equity: Float64Array,
  inPosition: Uint8Array,
  from: number,
  to: number,
): void {
  let held = sums[HELD]!;
  let sum = sums[SUM]!;
  let sumSquares = sums[SQUARES]!;
  let downsideSquares = sums[DOWNSIDE]!;
  let peak = sums[PEAK]!;
  let maxDrawdown = sums[DRAWDOWN]!;
  let maxDrawdownFraction = sums[FRACTION]!;
  for (let i = from; i < to; i++) {
    const e = equity[i]!;
    if (inPosition[i]) held++;
    if (e > peak) peak = e;
    if (peak - e > maxDrawdown) {
      maxDrawdown = peak - e;
      maxDrawdownFraction = maxDrawdown / peak;
    }
    if (i === 0) continue;
    const r = e / equity[i - 1]! - 1;
    sum += r;
    sumSquares += r * r;
    if (r < 0) downsideSquares += r * r;
  }
  sums[HELD] = held;
  sums[SUM] = sum;
  sums[SQUARES] = sumSquares;
  sums[DOWNSIDE] = downsideSquares;
  sums[PEAK] = peak;
  sums[DRAWDOWN] = maxDrawdown;
  sums[FRACTION] = maxDrawdownFraction;
}

/** Performance of an equity curve; NaN where a ratio is undefined (no variation, too few bars). */
export function performanceStats(curve: EquityCurve, barsPerYear: number): PerformanceStats {
  const { equity, inPosition } = curve;
  const n = equity.length;
  const sums = new Float64Array(7);
  sums[PEAK] = n > 0 ? equity[0]! : Number.NaN;
  for (let from = 0; from < n; from += CHUNK)
    accumulate(sums, equity, inPosition, from, Math.min(n, from + CHUNK));
  const sum = sums[SUM]!;
  const sumSquares = sums[SQUARES]!;
  const downsideSquares = sums[DOWNSIDE]!;
  const maxDrawdown = sums[DRAWDOWN]!;
  const maxDrawdownFraction = sums[FRACTION]!;
  const held = sums[HELD]!;
  const returns = n - 1;
  const mean = returns > 0 ? sum / returns : Number.NaN;
  const variance = returns > 1 ? (sumSquares - returns * mean * mean) / (returns - 1) : Number.NaN;
  const downside = returns > 0 ? Math.sqrt(downsideSquares / returns) : Number.NaN;
  const annual = Math.sqrt(barsPerYear);
  const ratioNote = sampleNote(returns, barsPerYear);
  const ratios = ratioNote === null;
  return {
    bars: n,
    totalReturn: n > 0 ? equity[n - 1]! / equity[0]! - 1 : Number.NaN,
    sharpe: ratios && variance > 0 ? (mean / Math.sqrt(variance)) * annual : Number.NaN,
    sortino: ratios && downside > 0 ? (mean / downside) * annual : Number.NaN,
    ratioNote,
    maxDrawdown,
    maxDrawdownFraction,
    exposure: n > 0 ? held / n : Number.NaN,
  };
}

/** Why `returns` per-bar returns are too few to annualise, or null. */
function sampleNote(returns: number, barsPerYear: number): string | null {
  const days = (Math.max(0, returns) / barsPerYear) * 365;
  if (returns >= MIN_RATIO_RETURNS && days >= MIN_RATIO_DAYS) return null;
  const span = days >= 2 ? `${Math.floor(days)} days` : `${+(days * 24).toFixed(1)} hours`;
  return `Sharpe and Sortino n/a: ${span} (${Math.max(0, returns)} returns) of bars, annualised ratios need at least ${MIN_RATIO_DAYS} days and ${MIN_RATIO_RETURNS} returns`;
}
