import type { DataFrame } from 'danfojs-node';
import type { BarSeries, MarketKey } from '../market/index.js';
import type { Lake } from '../store/index.js';

/**
 * A bar series as a danfo.js DataFrame for notebooks: columns `ts_ms` (bar close), `time` (ISO UTC),
 * open, high, low, close, volume. danfo is loaded on first use, so nothing else pays for it.
 */
export async function barsFrame(series: BarSeries): Promise<DataFrame> {
  const danfo = await import('danfojs-node');
  const ts = Array.from(series.ts);
  return new danfo.DataFrame({
    ts_ms: ts,
    time: ts.map((t) => new Date(t).toISOString()),
    open: Array.from(series.open),
    high: Array.from(series.high),
    low: Array.from(series.low),
    close: Array.from(series.close),
    volume: Array.from(series.volume),
  });
}

/** A window of the lake (bars closing in [startTs, endTs]) as a DataFrame. */
export async function lakeFrame(
  lake: Lake,
  key: MarketKey,
  startTs: number,
  endTs: number,
): Promise<DataFrame> {
  return barsFrame(await lake.read(key, startTs, endTs));
}
