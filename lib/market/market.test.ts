import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeframe, tsMs } from '../time/index.js';
import { type Bar, barDefect, isUsableBar } from './bar.js';
import { barHash, barHashLanes } from './hash.js';
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

/** MurmurHash3 x86 32-bit as published (little-endian blocks, tail, finalisation), over bytes. */
function murmur3(bytes: Uint8Array, seed: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks = bytes.length >> 2;
  let h = seed >>> 0;
  const scramble = (k: number) =>
    Math.imul(((Math.imul(k, 0xcc9e2d51) << 15) | (Math.imul(k, 0xcc9e2d51) >>> 17)) >>> 0, 0x1b873593);
  for (let i = 0; i < blocks; i++) {
    h ^= scramble(view.getUint32(4 * i, true));
    h = (((h << 13) | (h >>> 19)) >>> 0) * 5 + 0xe6546b64;
    h >>>= 0;
  }
  let tail = 0;
  for (let i = bytes.length - 1; i >= 4 * blocks; i--) tail = (tail << 8) | bytes[i]!;
  if (bytes.length % 4 !== 0) h ^= scramble(tail);
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

describe('the bar hash', () => {
  it("is MurmurHash3 of the values' IEEE-754 words: lane A high word first, lane B low word first", () => {
    // The published reference vectors first, so the reference itself is known right.
    expect(murmur3(new Uint8Array(0), 0)).toBe(0);
    expect(murmur3(new Uint8Array(0), 1)).toBe(0x514e28b7);
    expect(murmur3(new TextEncoder().encode('Hello, world!'), 1234)).toBe(0xfaf6cdb3);
    expect(murmur3(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(
      0x2fa826cd,
    );
    const value = fc.oneof(
      fc.double(),
      fc.integer({ min: 0, max: 1e9 }).map((n) => n / 100),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.array(value, { minLength: 5, maxLength: 5 }),
        (ts, v) => {
          const bar = { ts, open: v[0]!, high: v[1]!, low: v[2]!, close: v[3]!, volume: v[4]! } as Bar;
          const words = (highFirst: boolean) => {
            const bytes = new Uint8Array(48);
            const view = new DataView(bytes.buffer);
            [bar.ts, bar.open, bar.high, bar.low, bar.close, bar.volume].forEach((x, i) => {
              // Big-endian bytes of the double: its high word, then its low word.
              const double = new DataView(new ArrayBuffer(8));
              double.setFloat64(0, x, false);
              const high = double.getUint32(0, false);
              const low = double.getUint32(4, false);
              view.setUint32(8 * i, highFirst ? high : low, true);
              view.setUint32(8 * i + 4, highFirst ? low : high, true);
            });
            return bytes;
          };
          const lanes = new Uint32Array(2);
          barHashLanes(bar, lanes);
          expect([lanes[0], lanes[1]]).toEqual([
            murmur3(words(true), 0x9747b28c),
            murmur3(words(false), 0x2f6b1e53),
          ]);
          expect(barHash(bar)).toBe(
            lanes[0]!.toString(16).padStart(8, '0') + lanes[1]!.toString(16).padStart(8, '0'),
          );
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
