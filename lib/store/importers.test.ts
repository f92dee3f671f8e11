import { describe, expect, it } from 'vitest';
import { timeframe } from '../time/index.js';
import { parseFreqtradeJson, parseOhlcvCsv, parseTimestamp } from './importers.js';

const TF = timeframe('5m');
const OPEN = Date.UTC(2021, 0, 1, 10, 0);

describe('freqtrade JSON import', () => {
  it('keys bars by close (open + timeframe) and flags every kind of bad row', () => {
    const rows = [
      [OPEN, 10, 11, 9, 10.5, 3],
      [OPEN + 300_000, 10.5, 11, 10, 10.8, 0],
      [OPEN + 300_000, 10.5, 11, 10, 10.9, 1], // duplicate: the later row wins
      [OPEN + 900_000, 11, 12, 10, 11, 2],
      [OPEN + 600_000, 11, 12, 10, 11, 2], // out of order
      [OPEN + 1_200_000 + 7, 11, 12, 10, 11, 2], // misaligned
      [OPEN + 1_500_000, 11, 9, 10, 11, 2], // high below low: kept, flagged
      'garbage',
    ];
    const { bars, flags } = parseFreqtradeJson(JSON.stringify(rows), TF);
    expect(bars.map((b) => (b.ts - OPEN) / 300_000)).toEqual([1, 2, 3, 4, 6]);
    expect(bars[1]!.close).toBe(10.9);
    expect(flags.map((f) => [f.at, f.flag])).toEqual([
      [2, 'duplicate'],
      [4, 'out_of_order'],
      [5, 'misaligned'],
      [6, 'high_below_low'],
      [7, 'malformed'],
    ]);
  });

  it('refuses what is not a JSON array', () => {
    expect(() => parseFreqtradeJson('{"a":1}', TF)).toThrow(/JSON array/);
    expect(() => parseFreqtradeJson('[[1,2', TF)).toThrow(/not JSON/);
  });
});

describe('CSV import', () => {
  it('reads open-keyed and close-keyed files into the same bars', () => {
    const open =
      'Date,Open,High,Low,Close,Volume\n2021-01-01 10:00:00,10,11,9,10.5,3\n2021-01-01 10:05:00,10.5,11,10,10.8,4\n';
    const close =
      'timestamp;open;high;low;close;volume\n2021-01-01T10:05:00Z;10;11;9;10.5;3\n2021-01-01T10:10:00Z;10.5;11;10;10.8;4\n';
    const a = parseOhlcvCsv(open, TF, 'open');
    const b = parseOhlcvCsv(close, TF, 'close');
    expect(a.flags).toEqual([]);
    expect(a.bars).toEqual(b.bars);
    expect(a.bars[0]!.ts).toBe(OPEN + 300_000);
  });

  it('names missing columns and flags bad lines by line number', () => {
    expect(() => parseOhlcvCsv('time,open,high,close\n1,2,3,4\n', TF, 'open')).toThrow(/lacks low, volume/);
    const { flags } = parseOhlcvCsv(
      `ts,open,high,low,close,volume\n${OPEN},1,2,0.5,1,1\nnot-a-date,1,2,0.5,1,1\n${OPEN + 300_000},1,2,0.5,,1\n`,
      TF,
      'open',
    );
    expect(flags.map((f) => [f.at, f.flag])).toEqual([
      [3, 'malformed'],
      [4, 'non_finite'],
    ]);
  });

  it('reads epoch milliseconds, epoch seconds and ISO text, all as UTC', () => {
    expect(parseTimestamp(String(OPEN))).toBe(OPEN);
    expect(parseTimestamp(String(OPEN / 1000))).toBe(OPEN);
    expect(parseTimestamp('2021-01-01 10:00:00')).toBe(OPEN);
    expect(parseTimestamp('2021-01-01T12:00:00+02:00')).toBe(OPEN);
    expect(parseTimestamp('nonsense')).toBeNaN();
  });
});
