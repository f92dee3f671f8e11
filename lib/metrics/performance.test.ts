import { describe, expect, it } from 'vitest';
import { Random } from '../market/index.js';
import { performanceStats } from './performance.js';

const curve = (equity: number[], held: number[] = equity.map(() => 0)) => ({
  ts: Float64Array.from(equity, (_, i) => i),
  equity: Float64Array.from(equity),
  inPosition: Uint8Array.from(held),
});

describe('performance of an equity curve', () => {
  it('computes return, drawdown and exposure from the curve', () => {
    const stats = performanceStats(curve([100, 110, 99, 121, 120], [0, 1, 1, 1, 0]), 1);
    expect(stats.totalReturn).toBeCloseTo(0.2, 12);
    expect(stats.maxDrawdown).toBe(11);
    expect(stats.maxDrawdownFraction).toBeCloseTo(0.1, 12);
    expect(stats.exposure).toBeCloseTo(0.6, 12);
  });

  it('annualises Sharpe and Sortino from per-bar returns (checked against a direct computation)', () => {
    const equity = [100, 101, 100.5, 102, 101, 103];
    const r = equity.slice(1).map((e, i) => e / equity[i]! - 1);
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
    const dd = Math.sqrt(r.reduce((a, b) => a + Math.min(b, 0) ** 2, 0) / r.length);
    const stats = performanceStats(curve(equity), 105_120);
    expect(stats.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(105_120), 9);
    expect(stats.sortino).toBeCloseTo((mean / dd) * Math.sqrt(105_120), 9);
  });

  it('reads a long curve as one: drawdown, exposure and ratios across its chunks as computed directly', () => {
    const random = new Random(5);
    const n = 70_001;
    const equity: number[] = [10_000];
    for (let i = 1; i < n; i++) equity.push(equity[i - 1]! * (1 + random.normal() * 0.002));
    const held = equity.map((_, i) => ((i >> 9) % 3 === 0 ? 1 : 0));
    const r = equity.slice(1).map((e, i) => e / equity[i]! - 1);
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
    const dd = Math.sqrt(r.reduce((a, b) => a + Math.min(b, 0) ** 2, 0) / r.length);
    let peak = equity[0]!;
    let deepest = 0;
    let deepestFraction = 0;
    for (const e of equity) {
      peak = Math.max(peak, e);
      if (peak - e > deepest) [deepest, deepestFraction] = [peak - e, (peak - e) / peak];
    }
    const stats = performanceStats(curve(equity, held), 105_120);
    expect(stats.bars).toBe(n);
    expect(stats.maxDrawdown).toBe(deepest);
    expect(stats.maxDrawdownFraction).toBe(deepestFraction);
    expect(stats.exposure).toBe(held.filter((h) => h === 1).length / n);
    expect(stats.totalReturn).toBe(equity[n - 1]! / equity[0]! - 1);
    expect(stats.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(105_120), 9);
    expect(stats.sortino).toBeCloseTo((mean / dd) * Math.sqrt(105_120), 9);
  });

  it('is undefined rather than infinite for a flat curve', () => {
    const stats = performanceStats(curve([100, 100, 100]), 365);
    expect(stats.sharpe).toBeNaN();
    expect(stats.sortino).toBeNaN();
    expect(stats.totalReturn).toBe(0);
  });
});
