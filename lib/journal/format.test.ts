import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNumber, IsoTime } from './format.js';

describe('journal number text', () => {
  it('is exactly String(x) for any double (NaN: the empty cell)', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(formatNumber(x)).toBe(Number.isNaN(x) ? '' : String(x));
      }),
      { numRuns: 20_000 },
    );
  });

  it('is exactly String(x) for exchange prices of up to 8 decimals, and round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -9e15, max: 9e15 }),
        fc.integer({ min: 0, max: 8 }),
        (units, decimals) => {
          const x = Number((units / 10 ** decimals).toFixed(decimals));
          expect(formatNumber(x)).toBe(String(x));
          expect(Number(formatNumber(x))).toBe(x);
        },
      ),
      { numRuns: 20_000 },
    );
    for (const x of [
      31106.16839994, 0.1, 0.00000001, 1e-7, 12, -0.5, 89_999_999.99999999, 1e21, 0.30000000000000004,
    ]) {
      expect(formatNumber(x)).toBe(String(x));
    }
  });
});

describe('ISO time text', () => {
  it('is exactly toISOString for any millisecond, across days', () => {
    const iso = new IsoTime();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ts) => {
        expect(iso.format(ts)).toBe(new Date(ts).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });
});
