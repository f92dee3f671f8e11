import { MjolnirError } from '../core/index.js';
import { type BarSeries, sliceSeries } from '../market/index.js';
import type { Dataset } from './dataset.js';

/** Where a truncated dataset disagreed with the full one: a row that looked at the future. */
export interface DatasetViolation {
  readonly cut: number;
  readonly ts: number;
  readonly column: string;
  readonly full: number;
  readonly truncated: number;
}

export interface DatasetLookaheadReport {
  readonly cuts: readonly number[];
  readonly compared: number;
  readonly violation: DatasetViolation | null;
}

/**
 * The lookahead proof of capability 4 for datasets: built over the bars cut at each of `cuts`, every
 * row whose bar closes at or before the cut's last bar minus the horizon must equal the full
 * dataset's row (inputs and label), and be there at all. A row that changes peeked at bars after it.
 */
export function checkDatasetLookahead(
  build: (series: BarSeries) => Dataset,
  series: BarSeries,
  cuts: readonly number[],
): DatasetLookaheadReport {
  const full = build(series);
  const at = new Map<number, number>();
  for (let r = 0; r < full.rows; r++) at.set(full.ts[r]!, r);
  const width = full.features.length;
  let compared = 0;
  for (const cut of cuts) {
    if (!(cut > full.horizon && cut <= series.length))
      throw new MjolnirError(
        'input_invalid',
        `cut ${cut} is outside the series (${full.horizon + 1}..${series.length})`,
      );
    const head = build(sliceSeries(series, 0, cut));
    const limit = series.ts[cut - 1 - full.horizon]!;
    for (let r = 0; r < head.rows; r++) {
      const ts = head.ts[r]!;
      if (ts > limit) break;
      const f = at.get(ts);
      if (f === undefined)
        return { cuts, compared, violation: { cut, ts, column: 'row', full: Number.NaN, truncated: 1 } };
      for (let c = 0; c <= width; c++) {
        const a = c === width ? full.y[f]! : full.x[f * width + c]!;
        const b = c === width ? head.y[r]! : head.x[r * width + c]!;
        if (!Object.is(a, b))
          return {
            cuts,
            compared,
            violation: { cut, ts, column: c === width ? 'label' : full.features[c]!, full: a, truncated: b },
          };
      }
      compared++;
    }
  }
  return { cuts, compared, violation: null };
}
