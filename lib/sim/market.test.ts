import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MutableBar } from '../market/index.js';
import { SyntheticMarket } from '../market/index.js';
import type { TsMs } from '../time/index.js';
import { timeframe } from '../time/index.js';
import { SyntheticSource } from './market.js';

const MINUTE = 60_000;
const ORIGIN = Date.UTC(2024, 0, 1);

/** What the source must serve: one generator run straight through from the origin. */
function straight(count: number): MutableBar[] {
  const market = new SyntheticMarket({
    seed:
      (5 ^ [...'BTC/USDT'].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 2166136261)) >>> 0,
    timeframe: timeframe('1m'),
    startTs: (ORIGIN + MINUTE) as TsMs,
    startPrice: 30_000,
  });
  return Array.from({ length: count }, () => market.next({} as MutableBar));
}

describe('the synthetic source', () => {
  it('serves any window, old ones long evicted included, exactly as one straight generation would', () => {
    const days = 20;
    const expected = straight(days * 1_440);
    const source = new SyntheticSource(ORIGIN, 5, 'BTC/USDT');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: days * 1_440 - 1 }),
        fc.integer({ min: 0, max: 3_000 }),
        (at, length) => {
          const from = ORIGIN + at * MINUTE;
          const to = Math.min(ORIGIN + days * 1_440 * MINUTE, from + length * MINUTE);
          expect(source.bars(from, to)).toEqual(expected.slice(at, (to - ORIGIN) / MINUTE));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps a bounded number of bars in memory however far it has run', () => {
    const source = new SyntheticSource(ORIGIN, 5, 'BTC/USDT');
    const far = ORIGIN + 200 * 1_440 * MINUTE;
    expect(source.bars(far - 10 * MINUTE, far)).toHaveLength(10);
    const kept = (source as unknown as { chunks: Map<number, unknown[]> }).chunks;
    expect(kept.size).toBeLessThanOrEqual(8);
    expect([...kept.values()].reduce((n, bars) => n + bars.length, 0)).toBeLessThanOrEqual(8 * 1_440);
    // The first day again, regenerated from its checkpoint.
    expect(source.bars(ORIGIN, ORIGIN + 3 * MINUTE)).toEqual(straight(3));
  });
});
