import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeframe } from '../time/timeframe.js';
import { tsMs } from '../time/ts.js';
import { barDefect, isUsableBar } from './bar.js';
import { Random } from './random.js';
import { barsFromSeries, seriesFromBars } from './series.js';
import { generateSeries } from './synthetic.js';

const TF = timeframe('5m');
const START = tsMs(1_704_067_500_000);

describe('bar validation', () => {
  const anyNumber = fc.oneof(
    fc.double({ min: -10, max: 200 }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
  );

  it('the fast check agrees with the classifying one on any values', () => {
    fc.assert(
      fc.property(anyNumber, anyNumber, anyNumber, anyNumber, anyNumber, (open, high, low, close, volume) => {
        const bar = { open, high, low, close, volume };
        expect(isUsableBar(bar)).toBe(barDefect(bar) === null);
      }),
      { numRuns: 2000 },
    );
  });

  it('names the first defect', () => {
    const good = { open: 10, high: 11, low: 9, close: 10.5, volume: 3 };
    expect(barDefect(good)).toBeNull();
    expect(barDefect({ ...good, close: Number.NaN })).toBe('non_finite');
    expect(barDefect({ ...good, low: 0 })).toBe('non_positive_price');
    expect(barDefect({ ...good, high: 8.5 })).toBe('high_below_low');
    expect(barDefect({ ...good, open: 12 })).toBe('open_close_outside_range');
    expect(barDefect({ ...good, volume: -1 })).toBe('negative_volume');
  });
});

describe('synthetic market', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = generateSeries({ seed: 5, timeframe: TF, startTs: START }, 500);
    const b = generateSeries({ seed: 5, timeframe: TF, startTs: START }, 500);
    const c = generateSeries({ seed: 6, timeframe: TF, startTs: START }, 500);
    expect(Array.from(a.close)).toEqual(Array.from(b.close));
    expect(Array.from(a.close)).not.toEqual(Array.from(c.close));
  });

  it('produces valid, contiguous, aligned bars that continue from the previous close', () => {
    const series = generateSeries({ seed: 11, timeframe: TF, startTs: START }, 5_000);
    const bars = barsFromSeries(series);
    bars.forEach((bar, i) => {
      expect(isUsableBar(bar), `bar ${i}`).toBe(true);
      expect(bar.ts).toBe(START + i * TF.ms);
      if (i > 0) expect(bar.open).toBe(bars[i - 1]!.close);
    });
    expect(barsFromSeries(seriesFromBars(bars))).toEqual(bars);
  });

  it('clusters volatility: large moves follow large moves (|returns| are autocorrelated)', () => {
    const series = generateSeries({ seed: 3, timeframe: TF, startTs: START }, 50_000);
    const moves: number[] = [];
    for (let i = 1; i < series.length; i++)
      moves.push(Math.abs(Math.log(series.close[i]! / series.close[i - 1]!)));
    const mean = moves.reduce((s, x) => s + x, 0) / moves.length;
    let numerator = 0;
    let denominator = 0;
    for (let i = 1; i < moves.length; i++) {
      numerator += (moves[i]! - mean) * (moves[i - 1]! - mean);
      denominator += (moves[i]! - mean) ** 2;
    }
    expect(numerator / denominator).toBeGreaterThan(0.05);
  });

  it('has the configured annual volatility to within a factor of two', () => {
    const series = generateSeries({ seed: 8, timeframe: TF, startTs: START, annualVolatility: 0.6 }, 100_000);
    let sum = 0;
    let squares = 0;
    for (let i = 1; i < series.length; i++) {
      const r = Math.log(series.close[i]! / series.close[i - 1]!);
      sum += r;
      squares += r * r;
    }
    const n = series.length - 1;
    const annualised = Math.sqrt((squares / n - (sum / n) ** 2) * 105_120);
    expect(annualised).toBeGreaterThan(0.3);
    expect(annualised).toBeLessThan(1.2);
  });
});

describe('Random', () => {
  it('gives uniforms in [0, 1) with the right mean and normals with unit variance', () => {
    const random = new Random(42);
    let sum = 0;
    let squares = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = random.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      const z = random.normal();
      squares += z * z;
    }
    expect(outside).toBe(0);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    expect(squares / 100_000).toBeCloseTo(1, 1);
  });
});
