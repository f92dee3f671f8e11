import type { Bar } from '../market/bar.js';
import type { FlaggedRow } from '../market/validate.js';
import type { Timeframe } from '../time/index.js';
import type { MarketDataSource } from './source.js';

/** One page of history: the bars of [from, to] the exchange has, and what was flagged. */
export interface HistoryPage {
  readonly from: number;
  /** Close time up to which the exchange has answered (gaps inside are bars it really lacks). */
  readonly to: number;
  readonly bars: readonly Bar[];
  readonly flags: readonly FlaggedRow[];
}

/**
 * Walks history forward from `startClose` to `endClose` (inclusive) page by page, each request
 * starting after the last bar received. An empty page moves on by one page of slots (exchanges that
 * answer per time window return nothing across an outage). Bars closing after `endClose` are never
 * yielded; `endClose` should be a closed bar.
 */
export async function* fetchHistory(
  source: MarketDataSource,
  symbol: string,
  tf: Timeframe,
  startClose: number,
  endClose: number,
): AsyncGenerator<HistoryPage> {
  let since = Math.ceil(startClose / tf.ms) * tf.ms;
  while (since <= endClose) {
    const page = await source.fetchBars(symbol, tf, since, source.maxBarsPerRequest);
    const bars = page.bars.filter((bar) => bar.ts >= since && bar.ts <= endClose);
    if (bars.length === 0) {
      since += source.maxBarsPerRequest * tf.ms;
      continue;
    }
    const last = bars.at(-1)!.ts;
    yield { from: since, to: last, bars, flags: page.flags };
    since = last + tf.ms;
  }
}

/**
 * The bars that are closed by construction (docs/contracts.md): the newest fetched bar may still be in
 * progress and is dropped, whatever its timestamp or any exchange flag says.
 */
export function closedBars<B>(fetched: readonly B[]): B[] {
  return fetched.slice(0, -1);
}
