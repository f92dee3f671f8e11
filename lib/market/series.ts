import type { TsMs } from '../time/index.js';
import type { Bar, MutableBar } from './bar.js';

/** Bars as parallel typed arrays (struct of arrays): what the lake reader fills and hot loops read. */
export interface BarSeries {
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** An empty series with room for `length` bars. */
export function allocateSeries(length: number): BarSeries {
  return {
    length,
    ts: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
}

/** The six columns in their fixed order: ts, open, high, low, close, volume. */
export function seriesColumns(series: BarSeries): Float64Array[] {
  return [series.ts, series.open, series.high, series.low, series.close, series.volume];
}

/** Bars [from, to) of `series` as views over the same memory (no copy). */
export function sliceSeries(series: BarSeries, from: number, to = series.length): BarSeries {
  return {
    length: to - from,
    ts: series.ts.subarray(from, to),
    open: series.open.subarray(from, to),
    high: series.high.subarray(from, to),
    low: series.low.subarray(from, to),
    close: series.close.subarray(from, to),
    volume: series.volume.subarray(from, to),
  };
}

/** Copies bar `i` of `series` into `target` (no allocation). */
export function loadBar(series: BarSeries, i: number, target: MutableBar): MutableBar {
  target.ts = series.ts[i]! as TsMs;
  target.open = series.open[i]!;
  target.high = series.high[i]!;
  target.low = series.low[i]!;
  target.close = series.close[i]!;
  target.volume = series.volume[i]!;
  return target;
}

/** Writes `bar` into slot `i` of `series`. */
export function storeBar(series: BarSeries, i: number, bar: Bar): void {
  series.ts[i] = bar.ts;
  series.open[i] = bar.open;
  series.high[i] = bar.high;
  series.low[i] = bar.low;
  series.close[i] = bar.close;
  series.volume[i] = bar.volume;
}

/** Bar `i` of `series` as a fresh object (for tests and notebooks, not hot loops). */
export function barAt(series: BarSeries, i: number): Bar {
  return loadBar(series, i, {} as MutableBar);
}

/** Packs bar objects into a series. */
export function seriesFromBars(bars: readonly Bar[]): BarSeries {
  const series = allocateSeries(bars.length);
  bars.forEach((bar, i) => {
    storeBar(series, i, bar);
  });
  return series;
}

/** Unpacks a series into bar objects. */
export function barsFromSeries(series: BarSeries): Bar[] {
  const bars: Bar[] = new Array(series.length);
  for (let i = 0; i < series.length; i++) bars[i] = barAt(series, i);
  return bars;
}

/** The index of the first of the ascending `values` at or after `x` (their length if none is). */
export function firstAtOrAfter(values: ArrayLike<number>, x: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! < x) low = middle + 1;
    else high = middle;
  }
  return low;
}
