/** Mark-to-market equity, bar by bar. */
export interface EquityCurve {
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  /** 1 where a position was held after the bar's decision. */
  readonly inPosition: Uint8Array;
}

/** What the equity curve says, annualised with the bars per year of the timeframe. */
export interface PerformanceStats {
  readonly bars: number;
  readonly totalReturn: number;
  /** Mean over standard deviation of per-bar returns, times sqrt(bars per year); risk-free rate 0. */
  readonly sharpe: number;
  /** Like Sharpe, over the downside deviation (returns below 0 only). */
  readonly sortino: number;
  readonly maxDrawdown: number;
  readonly maxDrawdownFraction: number;
  /** Fraction of bars with a position. */
  readonly exposure: number;
}

/** Performance of an equity curve; NaN where a ratio is undefined (no variation, too few bars). */
export function performanceStats(curve: EquityCurve, barsPerYear: number): PerformanceStats {
  const { equity, inPosition } = curve;
  const n = equity.length;
  let sum = 0;
  let sumSquares = 0;
  let downsideSquares = 0;
  let peak = n > 0 ? equity[0]! : Number.NaN;
  let maxDrawdown = 0;
  let maxDrawdownFraction = 0;
  let held = 0;
  for (let i = 0; i < n; i++) {
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
  const returns = n - 1;
  const mean = returns > 0 ? sum / returns : Number.NaN;
  const variance = returns > 1 ? (sumSquares - returns * mean * mean) / (returns - 1) : Number.NaN;
  const downside = returns > 0 ? Math.sqrt(downsideSquares / returns) : Number.NaN;
  const annual = Math.sqrt(barsPerYear);
  return {
    bars: n,
    totalReturn: n > 0 ? equity[n - 1]! / equity[0]! - 1 : Number.NaN,
    sharpe: variance > 0 ? (mean / Math.sqrt(variance)) * annual : Number.NaN,
    sortino: downside > 0 ? (mean / downside) * annual : Number.NaN,
    maxDrawdown,
    maxDrawdownFraction,
    exposure: n > 0 ? held / n : Number.NaN,
  };
}
