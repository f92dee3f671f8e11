import { describe, expect, it } from 'vitest';
import { barAt, generateSeries } from '../market/index.js';
import { timeframe, tsMs } from '../time/index.js';
import { restoreFeatures, snapshotFeatures } from './features.js';
import { createStrategy, STRATEGIES } from './registry.js';

const series = generateSeries(
  { seed: 21, timeframe: timeframe('5m'), startTs: tsMs(1_704_067_500_000) },
  400,
);

describe.each(Object.keys(STRATEGIES))('strategy %s', (id) => {
  const variants = [
    {},
    id === 'rsi_reversion'
      ? { period: 3, atr_period: 9 }
      : { fast: 2, slow: 5, ...(id === 'ema_cross_atr' ? { atr_period: 9 } : {}) },
  ];

  it.each(variants)('declares exactly the warmup its features need (params %j)', (params) => {
    const strategy = createStrategy(id, params);
    const features = strategy.createFeatures();
    for (let i = 0; i < 150; i++) {
      strategy.update(features, barAt(series, i));
      // valid() is false before the declared warmup and true from it on (these bars never make features degenerate).
      expect(strategy.valid(features), `after ${i + 1} bars (warmup ${strategy.warmupBars})`).toBe(
        i + 1 >= strategy.warmupBars,
      );
    }
  });

  it('signals and stop distances are defined once warm, and its state snapshots exactly', () => {
    const strategy = createStrategy(id, variants[1]);
    const features = strategy.createFeatures();
    const seen = new Set<number>();
    for (let i = 0; i < series.length; i++) {
      strategy.update(features, barAt(series, i));
      if (!strategy.valid(features)) continue;
      seen.add(strategy.entry(features));
      expect(strategy.stopDistance(features, series.close[i]!)).toBeGreaterThan(0);
    }
    expect(seen).toEqual(new Set([-1, 0, 1]));
    const copy = strategy.createFeatures();
    restoreFeatures(copy, snapshotFeatures(features));
    expect(strategy.describe(copy)).toEqual(strategy.describe(features));
  });

  it('refuses unknown and invalid parameters naming them', () => {
    expect(() => createStrategy(id, { nonsense: 1 })).toThrow(new RegExp(`strategy ${id}: params`));
    expect(() => createStrategy(id, { [id === 'rsi_reversion' ? 'period' : 'fast']: -1 })).toThrow(
      /params\.(period|fast)/,
    );
  });
});

describe('strategy rules', () => {
  it('EMA cross enters long on an upward cross and exits when the fast EMA falls below the slow one', () => {
    const strategy = createStrategy('ema_cross_atr', { fast: 2, slow: 3, atr_period: 1 });
    const f = strategy.createFeatures() as { spread: number; previousSpread: number };
    Object.assign(f, { previousSpread: -0.5, spread: 0.2 });
    expect(strategy.entry(f)).toBe(1);
    Object.assign(f, { previousSpread: 0.2, spread: 0.4 });
    expect(strategy.entry(f)).toBe(0);
    expect(strategy.exitLong(f)).toBe(false);
    Object.assign(f, { previousSpread: 0.4, spread: -0.1 });
    expect(strategy.entry(f)).toBe(-1);
    expect(strategy.exitLong(f)).toBe(true);
  });

  it('an unknown strategy id lists the known ones', () => {
    expect(() => createStrategy('macd_magic')).toThrow(
      /expected one of ema_cross_atr, sma_cross, rsi_reversion/,
    );
  });
});
