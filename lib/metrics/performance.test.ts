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
    // 40 daily bars: 39 returns over 39 days, above the minimum sample.
    const equity = Array.from({ length: 40 }, (_, i) => 100 + i * 0.1 + (i % 3 === 0 ? -1 : 0.5));
    const r = equity.slice(1).map((e, i) => e / equity[i]! - 1);
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
    const dd = Math.sqrt(r.reduce((a, b) => a + Math.min(b, 0) ** 2, 0) / r.length);
    const stats = performanceStats(curve(equity), 365);
    expect(stats.ratioNote).toBeNull();
    expect(stats.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(365), 9);
    expect(stats.sortino).toBeCloseTo((mean / dd) * Math.sqrt(365), 9);
  });

  it('says n/a, and why, below the minimum sample: 30 days and 30 returns', () => {
    // Four hours of 5m bars: 48 returns, a "Sharpe" of noise.
    const random = new Random(2);
    const equity = [100];
    for (let i = 0; i < 48; i++) equity.push(equity[i]! * (1 + random.normal() * 0.001));
    const hours = performanceStats(curve(equity), 105_120);
    expect(hours.sharpe).toBeNaN();
    expect(hours.sortino).toBeNaN();
    expect(hours.totalReturn).toBe(equity[48]! / 100 - 1);
    expect(hours.ratioNote).toBe(
      'Sharpe and Sortino n/a: 4 hours (48 returns) of bars, annualised ratios need at least 30 days and 30 returns',
    );
    // 29 daily returns: days enough? no, 29 < 30; 30 daily returns: computed.
    expect(performanceStats(curve(equity.slice(0, 30)), 365).ratioNote).toMatch(
      /^Sharpe and Sortino n\/a: 29 days \(29 returns\)/,
    );
    expect(performanceStats(curve(equity.slice(0, 31)), 365).ratioNote).toBeNull();
    // Enough returns in too short a time: 30 hourly returns.
    expect(performanceStats(curve(equity.slice(0, 31)), 8760).ratioNote).toMatch(/n\/a: 30 hours/);
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
