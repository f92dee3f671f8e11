import { describe, expect, it } from 'vitest';
import { timeTicks } from './time-ticks.js';

const at = (iso: string) => Date.parse(iso);
const labels = (lo: string, hi: string, count?: number) =>
  timeTicks(at(lo), at(hi), count).map((t) => [new Date(t.value).toISOString().slice(0, 16), t.label]);

describe('time-axis ticks', () => {
  it('put a tick at every midnight of a week, no day skipped, labelled with the date (the year once)', () => {
    const ticks = labels('2024-02-21T13:35:00Z', '2024-02-29T02:05:00Z', 8);
    expect(ticks).toEqual([
      ['2024-02-22T00:00', '2024-02-22'],
      ['2024-02-23T00:00', '02-23'],
      ['2024-02-24T00:00', '02-24'],
      ['2024-02-25T00:00', '02-25'],
      ['2024-02-26T00:00', '02-26'],
      ['2024-02-27T00:00', '02-27'],
      ['2024-02-28T00:00', '02-28'],
      ['2024-02-29T00:00', '02-29'],
    ]);
  });

  it('fall on whole hours within a day, the date said where the day turns', () => {
    expect(labels('2024-03-01T04:13:00Z', '2024-03-01T22:50:00Z', 7)).toEqual([
      ['2024-03-01T06:00', '2024-03-01 06:00'],
      ['2024-03-01T09:00', '09:00'],
      ['2024-03-01T12:00', '12:00'],
      ['2024-03-01T15:00', '15:00'],
      ['2024-03-01T18:00', '18:00'],
      ['2024-03-01T21:00', '21:00'],
    ]);
    expect(labels('2024-03-01T17:00:00Z', '2024-03-02T10:00:00Z', 6)).toEqual([
      ['2024-03-01T18:00', '2024-03-01 18:00'],
      ['2024-03-01T21:00', '21:00'],
      ['2024-03-02T00:00', '03-02'],
      ['2024-03-02T03:00', '03:00'],
      ['2024-03-02T06:00', '06:00'],
      ['2024-03-02T09:00', '09:00'],
    ]);
  });

  it('use Mondays for weeks, month starts for months, and turn the year in the label', () => {
    const weeks = timeTicks(at('2024-01-01T00:00:00Z'), at('2024-03-01T00:00:00Z'), 10);
    expect(weeks.every((t) => new Date(t.value).getUTCDay() === 1)).toBe(true);
    expect(weeks.map((t) => t.label).slice(0, 3)).toEqual(['2024-01-01', '01-08', '01-15']);
    expect(labels('2023-10-15T00:00:00Z', '2024-04-20T00:00:00Z', 7)).toEqual([
      ['2023-11-01T00:00', '2023-11'],
      ['2023-12-01T00:00', '12'],
      ['2024-01-01T00:00', '2024-01'],
      ['2024-02-01T00:00', '02'],
      ['2024-03-01T00:00', '03'],
      ['2024-04-01T00:00', '04'],
    ]);
  });

  it('never give more than count + 1 ticks, at every span from minutes to decades', () => {
    for (const span of [
      5 * 60_000,
      3_600_000,
      86_400_000,
      30 * 86_400_000,
      400 * 86_400_000,
      20 * 365 * 86_400_000,
    ]) {
      const lo = at('2024-05-17T09:41:00Z');
      const ticks = timeTicks(lo, lo + span, 6);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(7);
      expect(new Set(ticks.map((t) => t.label)).size).toBe(ticks.length);
      for (const t of ticks) expect(t.value).toBeGreaterThanOrEqual(lo);
    }
  });
});
