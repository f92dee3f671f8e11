/**
 * Bars after which an exponentially smoothed indicator has forgotten its seed to `tolerance`: the seed's
 * weight decays by (1 - decay) per bar. EMA: decay = 2 / (n + 1); Wilder (RSI, ATR): decay = 1 / n.
 */
export function convergenceBars(decay: number, tolerance = 1e-6): number {
  return Math.ceil(Math.log(tolerance) / Math.log(1 - decay));
}

/** Convergence bars of an EMA of `period`. */
export const emaStable = (period: number) => convergenceBars(2 / (period + 1));

/** Convergence bars of a Wilder average of `period` (RSI, ATR). */
export const wilderStable = (period: number) => convergenceBars(1 / period);
