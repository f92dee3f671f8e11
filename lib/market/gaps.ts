import type { Timeframe } from '../time/index.js';
import { isUsableBar } from './bar.js';
import type { BarSeries } from './series.js';

/** A run of consecutive bar closes with no bar. */
export interface Gap {
  /** Close time of the first missing bar. */
  readonly from: number;
  /** Close time of the last missing bar. */
  readonly to: number;
  readonly bars: number;
}

/** What a window holds compared with what the timeframe promises. Missing bars are listed, never invented. */
export interface GapReport {
  readonly start: number;
  readonly end: number;
  readonly timeframe: string;
  readonly expected: number;
  readonly present: number;
  /** Present bars whose values are unusable (non-finite, high < low, ...). */
  readonly invalid: number;
  /** Present bars with zero volume (real exchanges report them during quiet or halted periods). */
  readonly zeroVolume: number;
  readonly missing: number;
  readonly gaps: readonly Gap[];
}

/**
 * Compares the bar closes in `series` (sorted, unique) with every close of the timeframe in
 * [start, end]; both ends are snapped inwards to the grid.
 */
export function gapReport(series: BarSeries, tf: Timeframe, start: number, end: number): GapReport {
  const first = Math.ceil(start / tf.ms) * tf.ms;
  const last = Math.floor(end / tf.ms) * tf.ms;
  const expected = last >= first ? (last - first) / tf.ms + 1 : 0;
  const gaps: Gap[] = [];
  let present = 0;
  let invalid = 0;
  let zeroVolume = 0;
  let cursor = first;
  const bar = { open: 0, high: 0, low: 0, close: 0, volume: 0 };
  const closeGap = (until: number) => {
    if (until > cursor) gaps.push({ from: cursor, to: until - tf.ms, bars: (until - cursor) / tf.ms });
  };
  for (let i = 0; i < series.length; i++) {
    const ts = series.ts[i]!;
    if (ts < first || ts > last || ts % tf.ms !== 0) continue;
    closeGap(ts);
    cursor = ts + tf.ms;
    present++;
    bar.open = series.open[i]!;
    bar.high = series.high[i]!;
    bar.low = series.low[i]!;
    bar.close = series.close[i]!;
    bar.volume = series.volume[i]!;
    if (!isUsableBar(bar)) invalid++;
    else if (bar.volume === 0) zeroVolume++;
  }
  if (expected > 0) closeGap(last + tf.ms);
  const missing = expected - present;
  return {
    start: first,
    end: last,
    timeframe: tf.label,
    expected,
    present,
    invalid,
    zeroVolume,
    missing,
    gaps,
  };
}
