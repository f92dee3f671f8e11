import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Atr } from './atr.js';
import { Bollinger } from './bollinger.js';
import { Ema } from './ema.js';
import { Macd } from './macd.js';
import { Returns } from './returns.js';
import { RollingStd } from './rolling-std.js';
import { Rsi } from './rsi.js';
import { overHighLowClose, overValues, overValuesMulti } from './series.js';
import { Sma } from './sma.js';

interface TalibCase {
  name: string;
  options: Record<string, number>;
  begIndex: number;
  outputs: Record<string, (number | null)[]>;
}
interface TalibFixture {
  source: string;
  inputs: { open: number[]; high: number[]; low: number[]; close: number[] };
  cases: TalibCase[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/talib.json', import.meta.url), 'utf8'),
) as TalibFixture;
const { high, low, close } = fixture.inputs;

function talibCase(name: string, options: Record<string, number>): TalibCase {
  const found = fixture.cases.find(
    (c) => c.name === name && Object.entries(options).every(([k, v]) => c.options[k] === v),
  );
  if (!found) throw new Error(`no TA-Lib fixture for ${name} ${JSON.stringify(options)}`);
  return found;
}

/** Ours must be NaN exactly where TA-Lib has no output, and agree to 1e-9 (relative) everywhere else. */
function expectMatches(ours: Float64Array, reference: (number | null)[]): void {
  expect(ours.length).toBe(reference.length);
  let compared = 0;
  reference.forEach((want, i) => {
    if (want === null) {
      expect(Number.isNaN(ours[i]), `index ${i} should not be ready`).toBe(true);
      return;
    }
    const got = ours[i]!;
    expect(Math.abs(got - want), `index ${i}: ours ${got} vs TA-Lib ${want}`).toBeLessThanOrEqual(
      1e-9 * Math.max(1, Math.abs(want)),
    );
    compared++;
  });
  expect(compared).toBeGreaterThan(300);
}

describe(`indicators against ${fixture.source}`, () => {
  it('SMA(10)', () => {
    expectMatches(
      overValues(new Sma(10), close),
      talibCase('SMA', { optInTimePeriod: 10 }).outputs['outReal']!,
    );
  });

  it.each([10, 30])('EMA(%i), seeded with the SMA', (period) => {
    expectMatches(
      overValues(new Ema(period), close),
      talibCase('EMA', { optInTimePeriod: period }).outputs['outReal']!,
    );
  });

  it.each([14, 5])('RSI(%i), Wilder', (period) => {
    expectMatches(
      overValues(new Rsi(period), close),
      talibCase('RSI', { optInTimePeriod: period }).outputs['outReal']!,
    );
  });

  it.each([14, 7])('ATR(%i), Wilder', (period) => {
    expectMatches(
      overHighLowClose(new Atr(period), high, low, close),
      talibCase('ATR', { optInTimePeriod: period }).outputs['outReal']!,
    );
  });

  it.each([
    [12, 26, 9],
    [5, 13, 4],
  ])('MACD(%i, %i, %i): line, signal and histogram', (fast, slow, signal) => {
    const reference = talibCase('MACD', {
      optInFastPeriod: fast,
      optInSlowPeriod: slow,
      optInSignalPeriod: signal,
    });
    const ours = overValuesMulti(new Macd(fast, slow, signal), close, ['value', 'signal', 'histogram']);
    expectMatches(ours.value, reference.outputs['outMACD']!);
    expectMatches(ours.signal, reference.outputs['outMACDSignal']!);
    expectMatches(ours.histogram, reference.outputs['outMACDHist']!);
  });

  it('Bollinger(20, 2)', () => {
    const reference = talibCase('BBANDS', { optInTimePeriod: 20 });
    const ours = overValuesMulti(new Bollinger(20, 2), close, ['upper', 'value', 'lower']);
    expectMatches(ours.upper, reference.outputs['outRealUpperBand']!);
    expectMatches(ours.value, reference.outputs['outRealMiddleBand']!);
    expectMatches(ours.lower, reference.outputs['outRealLowerBand']!);
  });

  it('rolling standard deviation(20)', () => {
    expectMatches(
      overValues(new RollingStd(20), close),
      talibCase('STDDEV', { optInTimePeriod: 20 }).outputs['outReal']!,
    );
  });

  it('simple returns (ROCP, period 1)', () => {
    expectMatches(
      overValues(new Returns(), close),
      talibCase('ROCP', { optInTimePeriod: 1 }).outputs['outReal']!,
    );
  });
});

describe("Wilder's RSI worked example as published by StockCharts", () => {
  // StockCharts "RSI" ChartSchool table (cs-rsi.xls). Their averages are rounded to two decimals, so
  // their RSI column is within ~0.1 of the exact value; the first value worked by hand from the raw
  // changes (gains 3.34 / 14, losses 1.40 / 14) is 70.4641 exactly.
  const closes = [
    44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28,
    46.0, 46.03, 46.41, 46.22, 45.64, 46.21, 46.25, 45.71, 46.45, 45.78, 45.35, 44.03, 44.18, 44.22, 44.57,
    43.42, 42.66, 43.13,
  ];
  const published = [
    70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46, 41.87,
    45.46, 37.3, 33.08, 37.77,
  ];

  it('matches the hand-worked first value exactly and the published column within rounding', () => {
    const rsi = overValues(new Rsi(14), closes);
    expect(Number.isNaN(rsi[13])).toBe(true);
    expect(rsi[14]).toBeCloseTo(100 - 100 / (1 + 3.34 / 1.4), 9);
    published.forEach((value, i) => {
      expect(Math.abs(rsi[14 + i]! - value), `RSI at bar ${14 + i}`).toBeLessThan(0.15);
    });
  });
});
