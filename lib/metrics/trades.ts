/** Trade statistics a researcher reads first. */
export interface TradeStats {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** Fraction of trades with positive net PnL (NaN without trades). */
  readonly winRate: number;
  readonly netPnl: number;
  readonly grossProfit: number;
  readonly grossLoss: number;
  /** Gross profit / gross loss (Infinity with no losing trade, NaN without trades). */
  readonly profitFactor: number;
  readonly averageTrade: number;
  readonly fees: number;
  /** Largest peak-to-trough fall of realised equity, in quote currency (>= 0). */
  readonly maxDrawdown: number;
  /** The same fall as a fraction of the peak equity it fell from. */
  readonly maxDrawdownFraction: number;
}

/** Statistics of closed trades (engine events or trades.csv rows), in exit order, from `initialCapital`. */
export function tradeStats(
  trades: readonly { readonly pnl: number; readonly fees: number }[],
  initialCapital: number,
): TradeStats {
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let fees = 0;
  let equity = initialCapital;
  let peak = initialCapital;
  let maxDrawdown = 0;
  let maxDrawdownFraction = 0;
  for (const trade of trades) {
    if (trade.pnl > 0) {
      wins++;
      grossProfit += trade.pnl;
    } else {
      grossLoss -= trade.pnl;
    }
    fees += trade.fees;
    equity += trade.pnl;
    peak = Math.max(peak, equity);
    if (peak - equity > maxDrawdown) {
      maxDrawdown = peak - equity;
      maxDrawdownFraction = maxDrawdown / peak;
    }
  }
  const count = trades.length;
  return {
    trades: count,
    wins,
    losses: count - wins,
    winRate: count > 0 ? wins / count : Number.NaN,
    netPnl: grossProfit - grossLoss,
    grossProfit,
    grossLoss,
    profitFactor:
      count === 0 ? Number.NaN : grossLoss > 0 ? grossProfit / grossLoss : Number.POSITIVE_INFINITY,
    averageTrade: count > 0 ? (grossProfit - grossLoss) / count : Number.NaN,
    fees,
    maxDrawdown,
    maxDrawdownFraction,
  };
}
