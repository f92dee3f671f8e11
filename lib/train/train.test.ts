import { describe, expect, it } from 'vitest';
import { generateSeries, sliceSeries } from '../market/index.js';
import { createStrategy } from '../strategy/index.js';
import { timeframe, tsMs } from '../time/index.js';
import { buildDataset, type Dataset } from './dataset.js';
import { checkDatasetLookahead } from './lookahead.js';
import { walkForward } from './walk-forward.js';

const TF = timeframe('5m');
const SERIES = generateSeries({ seed: 8, timeframe: TF, startTs: tsMs(Date.UTC(2024, 0, 1) + TF.ms) }, 3000);
const strategy = () => createStrategy('ema_cross_atr', { fast: 5, slow: 20, atr_period: 10 });
const build = (series = SERIES, horizon = 6) =>
  buildDataset(series, strategy(), { horizon, label: 'direction' });

describe('datasets', () => {
  it('keeps rows after the warmup, labels each with the return over the horizon, drops the last horizon bars', () => {
    const data = build();
    const warmup = strategy().stableWarmupBars;
    expect(data.features).toEqual(['ema_fast', 'ema_slow', 'atr']);
    expect(data.x).toHaveLength(data.rows * 3);
    expect(data.ts[0]).toBe(SERIES.ts[warmup]);
    expect(data.ts[data.rows - 1]).toBe(SERIES.ts[SERIES.length - 1 - 6]);
    for (const r of [0, 100, data.rows - 1]) {
      const t = SERIES.ts.indexOf(data.ts[r]!);
      expect(data.y[r]).toBe(SERIES.close[t + 6]! > SERIES.close[t]! ? 1 : 0);
      // The inputs are the features after bars <= t: a strategy fed only those bars says the same.
      const alone = buildDataset(sliceSeries(SERIES, 0, t + 7), strategy(), {
        horizon: 6,
        label: 'direction',
      });
      expect(Array.from(alone.x.subarray(alone.rows * 3 - 3))).toEqual(
        Array.from(data.x.subarray(r * 3, r * 3 + 3)),
      );
    }
    const returns = buildDataset(SERIES, strategy(), { horizon: 6, label: 'return' });
    const t = SERIES.ts.indexOf(returns.ts[10]!);
    expect(returns.y[10]).toBe(Math.fround(SERIES.close[t + 6]! / SERIES.close[t]! - 1));
    expect(() => buildDataset(SERIES, strategy(), { horizon: 0, label: 'direction' })).toThrow(/horizon/);
  });

  it('proves it does not look ahead, and catches a planted peek (features normalised over the whole series)', () => {
    const cuts = [900, 1500, 2200, 2999];
    const honest = checkDatasetLookahead((s) => build(s), SERIES, cuts);
    expect(honest.violation).toBeNull();
    expect(honest.compared).toBeGreaterThan(5000);
    // The classic leak: scaling inputs by a statistic of the whole sample, future bars included.
    const leaky = (s: typeof SERIES): Dataset => {
      const data = build(s);
      let mean = 0;
      for (let i = 0; i < s.length; i++) mean += s.close[i]! / s.length;
      return { ...data, x: data.x.map((v) => v / mean) };
    };
    const caught = checkDatasetLookahead(leaky, SERIES, cuts);
    expect(caught.violation).toMatchObject({ cut: 900, column: 'ema_fast' });
    expect(caught.violation!.ts).toBe(build().ts[0]);
  });
});

describe('walk-forward splits', () => {
  it('rolls training windows forward, purging before each test window and embargoing after it', () => {
    const folds = walkForward(1000, { train: 300, test: 100, purge: 6, embargo: 6 });
    expect(folds.map((f) => [f.train.start, f.train.end, f.test.start, f.test.end])).toEqual([
      [0, 300, 306, 406],
      [106, 406, 412, 512],
      [212, 512, 518, 618],
      [318, 618, 624, 724],
      [424, 724, 730, 830],
      [530, 830, 836, 936],
    ]);
    for (const f of folds) {
      expect(f.test.start - f.train.end).toBe(6); // purge: no training label reaches the test window
      expect(f.train.end - f.train.start).toBe(300);
    }
    for (let k = 1; k < folds.length; k++) expect(folds[k]!.test.start - folds[k - 1]!.test.end).toBe(6);
  });

  it('anchors training at the first row when asked, and refuses what cannot make a fold', () => {
    const folds = walkForward(1000, { train: 300, test: 200, purge: 10, embargo: 0, anchored: true });
    expect(folds.map((f) => [f.train.start, f.train.end, f.test.start, f.test.end])).toEqual([
      [0, 300, 310, 510],
      [0, 500, 510, 710],
      [0, 700, 710, 910],
    ]);
    expect(() => walkForward(100, { train: 90, test: 20, purge: 0, embargo: 0 })).toThrow(
      /too few for one fold/,
    );
    expect(() => walkForward(100, { train: 10, test: 0, purge: 0, embargo: 0 })).toThrow(/test must be/);
    expect(() => walkForward(100, { train: 10, test: 5, purge: -1, embargo: 0 })).toThrow(/purge must be/);
  });
});
