import { MjolnirError } from '../core/index.js';
import type { MarketKey } from '../market/index.js';
import { allocateSeries, type BarSeries } from '../market/index.js';
import { type TimeframeLabel, timeframe } from '../time/index.js';
import type { Lake } from './lake.js';

/** Higher-timeframe bars and how many source bars each was built from. */
export interface Resampled {
  readonly series: BarSeries;
  /** Source bars per output bar (a complete bar has target / source of them). */
  readonly counts: Float64Array;
  /** How many source bars a complete output bar needs. */
  readonly perBar: number;
}

/**
 * Resamples a stream to a higher timeframe in DuckDB: open of the first bar, max high, min low,
 * close of the last, summed volume, keyed by the higher bar's close. Unusable source bars are left
 * out. With `completeOnly` (the default) a bucket missing any source bar is dropped rather than
 * passed off as a whole bar.
 */
export async function resample(
  lake: Lake,
  key: MarketKey,
  target: TimeframeLabel,
  startTs: number,
  endTs: number,
  options: { completeOnly?: boolean } = {},
): Promise<Resampled> {
  const from = timeframe(key.timeframe);
  const to = timeframe(target);
  if (to.ms <= from.ms || to.ms % from.ms !== 0) {
    throw new MjolnirError(
      'input_invalid',
      `cannot resample ${from.label} to ${to.label}: it must be a multiple`,
    );
  }
  const perBar = to.ms / from.ms;
  // Whole target buckets: from the first bucket opening at or after the start's open.
  const firstOpen = Math.ceil((startTs - from.ms) / to.ms) * to.ms;
  const lastClose = Math.floor(endTs / to.ms) * to.ms;
  const source = lake.sourceFor(key, firstOpen + from.ms, lastClose);
  if (source === null || lastClose <= firstOpen)
    return { series: allocateSeries(0), counts: new Float64Array(0), perBar };
  const having = options.completeOnly === false ? '' : `HAVING count(*) = ${perBar}`;
  const { columns, rows } = await lake.engine.readDoubles(
    `SELECT CAST(bucket + ${to.ms} AS DOUBLE), arg_min(open, ts_ms), max(high), min(low), arg_max(close, ts_ms),
            sum(volume), CAST(count(*) AS DOUBLE)
       FROM (SELECT *, (ts_ms - ${from.ms}) // ${to.ms} * ${to.ms} AS bucket FROM ${source}
             WHERE ts_ms BETWEEN ${firstOpen + from.ms} AND ${lastClose}
               AND isfinite(open) AND isfinite(high) AND isfinite(low) AND isfinite(close) AND isfinite(volume)
               AND low > 0 AND high >= low)
      GROUP BY bucket ${having} ORDER BY bucket`,
    [],
    7,
  );
  const [ts, open, high, low, close, volume, counts] = columns as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  return { series: { length: rows, ts, open, high, low, close, volume }, counts, perBar };
}
