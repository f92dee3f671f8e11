import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestClock } from './clock.js';
import {
  alignDown,
  closeOfOpen,
  isAligned,
  lastClosedAt,
  nextClose,
  openOfClose,
  parseTimeframe,
  slotsBetween,
  TIMEFRAMES,
  timeframe,
} from './timeframe.js';
import { tsMs, utcDay, utcDayStart } from './ts.js';

describe('timeframes', () => {
  it('parses every supported label into milliseconds', () => {
    expect(TIMEFRAMES.map((label) => timeframe(label).ms)).toEqual([
      60_000, 180_000, 300_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 21_600_000, 28_800_000,
      43_200_000, 86_400_000,
    ]);
  });

  it('rejects anything else with a message listing what is accepted', () => {
    for (const bad of ['7m', '5', 'm5', '1w', '', '05m']) {
      const parsed = parseTimeframe(bad);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain('expected one of 1m, 3m, 5m');
    }
  });

  it('keys a bar by its close: ts_ms = open + timeframe (docs/contracts.md)', () => {
    const tf = timeframe('5m');
    const open = Date.UTC(2026, 1, 8, 0, 0);
    expect(closeOfOpen(open, tf)).toBe(open + 300_000);
    expect(openOfClose(closeOfOpen(open, tf), tf)).toBe(open);
  });

  it('aligns, steps and counts slots consistently for any instant', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TIMEFRAMES),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (label, now) => {
          const tf = timeframe(label);
          const close = lastClosedAt(now, tf);
          expect(isAligned(close, tf)).toBe(true);
          expect(close).toBeLessThanOrEqual(now);
          expect(now - close).toBeLessThan(tf.ms);
          expect(alignDown(close, tf)).toBe(close);
          const next = nextClose(close, tf);
          expect(next).toBeGreaterThan(now);
          expect(slotsBetween(close, next, tf)).toBe(0);
          expect(slotsBetween(close, tsMs(next + 3 * tf.ms), tf)).toBe(3);
        },
      ),
    );
  });

  it('finds UTC days', () => {
    const ts = Date.UTC(2024, 0, 31, 23, 59, 59, 999);
    expect(utcDay(ts)).toBe('2024-01-31');
    expect(utcDayStart(ts)).toBe(Date.UTC(2024, 0, 31));
    expect(utcDay(ts + 1)).toBe('2024-02-01');
  });
});

describe('TestClock', () => {
  it('moves forward on demand and refuses to go backwards', () => {
    const clock = new TestClock(1_000);
    clock.advance(500);
    expect(clock.now()).toBe(1_500);
    clock.set(1_500);
    expect(() => clock.set(1_499)).toThrow(/cannot go backwards/);
    expect(clock.now()).toBe(1_500);
  });
});
