import { describe, expect, it } from 'vitest';
import type { Trade } from '../engine/index.js';
import type { TsMs } from '../time/index.js';
import { tradeStats } from './trades.js';

const trade = (pnl: number, fees = 1): Trade => ({
  kind: 'close',
  entry_ts_ms: 0 as TsMs,
  exit_ts_ms: 1 as TsMs,
  side: 1,
  entry_price: 100,
  exit_price: 100,
  qty: 1,
  exit_reason: 'exit_signal',
  pnl,
  fees,
});

describe('trade statistics', () => {
  it('computes win rate, profit factor and the realised drawdown from the peak', () => {
    const stats = tradeStats([trade(100), trade(-50), trade(-150), trade(40)], 1_000);
    expect(stats).toMatchObject({ trades: 4, wins: 2, losses: 2, winRate: 0.5, netPnl: -60, fees: 4 });
    expect(stats.profitFactor).toBeCloseTo(140 / 200, 12);
    // Equity 1000 -> 1100 (peak) -> 1050 -> 900 -> 940: the worst fall is 200 from 1100.
    expect(stats.maxDrawdown).toBe(200);
    expect(stats.maxDrawdownFraction).toBeCloseTo(200 / 1100, 12);
  });

  it('is explicit about the empty and the loss-free cases', () => {
    expect(tradeStats([], 1_000).winRate).toBeNaN();
    expect(tradeStats([trade(5)], 1_000).profitFactor).toBe(Number.POSITIVE_INFINITY);
  });
});
