import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Atr } from './atr.js';
import { Bollinger } from './bollinger.js';
import { Ema } from './ema.js';
import type { Indicator } from './indicator.js';
import { Macd } from './macd.js';
import { Returns } from './returns.js';
import { RollingStd } from './rolling-std.js';
import { Rsi } from './rsi.js';
import { Sma } from './sma.js';

interface Subject {
  readonly name: string;
  make(): Indicator & { update(high: number, low: number, close: number): number };
  /** Inputs needed before `ready` (TA-Lib lookback + 1). */
  readonly readyAfter: number;
}

/** Adapts a one-input indicator to the high/low/close signature so one suite covers all of them. */
function closeOnly<I extends Indicator & { update(x: number): number }>(make: () => I) {
  return () => {
    const inner = make();
    const wrapper = {
      get value() {
        return inner.value;
      },
      get ready() {
        return inner.ready;
      },
      get count() {
        return inner.count;
      },
      snapshot: () => inner.snapshot(),
      restore: (s: Parameters<Indicator['restore']>[0]) => inner.restore(s),
      update: (_high: number, _low: number, close: number) => inner.update(close),
    };
    return wrapper;
  };
}

const subjects: Subject[] = [
  { name: 'SMA(7)', make: closeOnly(() => new Sma(7)), readyAfter: 7 },
  { name: 'EMA(9)', make: closeOnly(() => new Ema(9)), readyAfter: 9 },
  { name: 'RSI(6)', make: closeOnly(() => new Rsi(6)), readyAfter: 7 },
  { name: 'ATR(5)', make: () => new Atr(5), readyAfter: 6 },
  { name: 'MACD(3,8,4)', make: closeOnly(() => new Macd(3, 8, 4)), readyAfter: 11 },
  { name: 'Bollinger(6,2)', make: closeOnly(() => new Bollinger(6, 2)), readyAfter: 6 },
  { name: 'rolling std(4)', make: closeOnly(() => new RollingStd(4)), readyAfter: 4 },
  { name: 'returns', make: closeOnly(() => new Returns()), readyAfter: 2 },
];

const bars = fc
  .array(
    fc.tuple(fc.double({ min: 1, max: 1e5, noNaN: true }), fc.double({ min: 0, max: 0.05, noNaN: true })),
    {
      minLength: 1,
      maxLength: 120,
    },
  )
  .map((rows) =>
    rows.map(([close, spread]) => ({ high: close * (1 + spread), low: close * (1 - spread), close })),
  );

describe.each(subjects)('$name streaming', (subject) => {
  it('becomes ready after exactly its declared number of inputs', () => {
    fc.assert(
      fc.property(bars, (series) => {
        const indicator = subject.make();
        series.forEach((bar, i) => {
          indicator.update(bar.high, bar.low, bar.close);
          expect(indicator.ready).toBe(i + 1 >= subject.readyAfter);
          expect(Number.isFinite(indicator.value)).toBe(indicator.ready);
        });
      }),
    );
  });

  it('continues bit-identically after snapshot -> JSON -> restore at any point', () => {
    fc.assert(
      fc.property(bars, fc.nat(), (series, cut) => {
        const at = cut % (series.length + 1);
        const straight = subject.make();
        const expected = series.map((bar) => straight.update(bar.high, bar.low, bar.close));

        const first = subject.make();
        const got = series.slice(0, at).map((bar) => first.update(bar.high, bar.low, bar.close));
        // NaN does not survive JSON, so encode it the way the engine's codec does.
        const text = JSON.stringify(first.snapshot(), (_k, v) =>
          typeof v === 'number' && !Number.isFinite(v) ? `#${v}` : v,
        );
        const second = subject.make();
        second.restore(
          JSON.parse(text, (_k, v) => (typeof v === 'string' && v.startsWith('#') ? Number(v.slice(1)) : v)),
        );
        for (const bar of series.slice(at)) got.push(second.update(bar.high, bar.low, bar.close));
        expect(got).toEqual(expected);
      }),
    );
  });
});

describe('long runs do not drift', () => {
  it('SMA and rolling std over 200k prices near 50 000 equal a fresh two-pass computation', () => {
    const sma = new Sma(50);
    const std = new RollingStd(50);
    let price = 50_000;
    const recent: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      price *= 1 + Math.sin(i * 0.37) * 0.002 + Math.cos(i * 0.011) * 0.001;
      sma.update(price);
      std.update(price);
      recent.push(price);
      if (recent.length > 50) recent.shift();
    }
    const mean = recent.reduce((a, b) => a + b, 0) / 50;
    const deviation = Math.sqrt(recent.reduce((a, b) => a + (b - mean) ** 2, 0) / 50);
    expect(Math.abs(sma.value - mean) / mean).toBeLessThan(1e-12);
    expect(Math.abs(std.value - deviation) / deviation).toBeLessThan(1e-6);
  });
});

describe('documented choices', () => {
  it('RSI of a perfectly flat window is the neutral 50 (TA-Lib would say 0)', () => {
    const rsi = new Rsi(3);
    for (const x of [10, 10, 10, 10, 10]) rsi.update(x);
    expect(rsi.value).toBe(50);
  });

  it('RSI is 100 with only gains and 0 with only losses', () => {
    const up = new Rsi(3);
    const down = new Rsi(3);
    for (let i = 1; i <= 6; i++) {
      up.update(i);
      down.update(10 - i);
    }
    expect(up.value).toBe(100);
    expect(down.value).toBe(0);
  });

  it('refuses nonsensical periods and snapshots from a differently configured indicator', () => {
    expect(() => new Ema(0)).toThrow(/EMA period must be an integer >= 1/);
    expect(() => new Macd(26, 12, 9)).toThrow(/fast period \(26\) must be < slow \(12\)/);
    const five = new Sma(5);
    expect(() => new Sma(6).restore(five.snapshot())).toThrow(/period=5 but this indicator has period=6/);
    expect(() => new Ema(5).restore(five.snapshot())).toThrow(/expected a ema snapshot, got sma/);
  });
});
