import type { MarketKey } from '../market/index.js';
import { type BarFlag, countFlags, fetchHistory, type MarketDataSource } from '../market/index.js';
import { alignDown, timeframe } from '../time/index.js';
import { Coverage } from './coverage.js';
import type { Lake } from './lake.js';

/** Progress of a backfill, for a progress bar. */
export interface BackfillProgress {
  /** Bar slots of the requested window settled so far (fetched now or covered before). */
  readonly done: number;
  readonly total: number;
  readonly bars: number;
  /** Close time reached. */
  readonly at: number;
}

/** What a backfill did. */
export interface BackfillReport {
  readonly from: number;
  readonly to: number;
  /** Slots already covered by earlier runs: not fetched again. */
  readonly alreadyCovered: number;
  /** Pages of bars received and written. */
  readonly pages: number;
  readonly bars: number;
  readonly partitionsWritten: number;
  readonly flags: Partial<Record<BarFlag, number>>;
}

/**
 * History for one stream into the lake, resumable: only what earlier runs did not cover is fetched,
 * page by page, each page written (atomically, merged) and recorded as covered before the next, so
 * an interrupted run loses at most one page and a rerun writes nothing twice. `end` is clamped to
 * the bar before the newest one closed at `now` (the exchange's time): that one may be in progress.
 */
export async function backfill(options: {
  readonly source: MarketDataSource;
  readonly lake: Lake;
  readonly key: MarketKey;
  readonly start: number;
  readonly end: number;
  /** The exchange's time (its server time when it has one). */
  readonly now: number;
  readonly onProgress?: (progress: BackfillProgress) => void;
}): Promise<BackfillReport> {
  const { source, lake, key } = options;
  const tf = timeframe(key.timeframe);
  const from = Math.ceil(options.start / tf.ms) * tf.ms;
  const to = Math.min(alignDown(options.end, tf), alignDown(options.now, tf) - tf.ms);
  const total = to >= from ? (to - from) / tf.ms + 1 : 0;
  const coverage = Coverage.load(lake.layout.rawDir(key));
  const gaps = coverage.missing(from, to, tf.ms);
  const pending = gaps.reduce((sum, g) => sum + (g.to - g.from) / tf.ms + 1, 0);
  const flags: Partial<Record<BarFlag, number>> = {};
  let done = total - pending;
  let bars = 0;
  let pages = 0;
  let partitionsWritten = 0;
  options.onProgress?.({ done, total, bars, at: from });
  for (const gap of gaps) {
    let settled = gap.from;
    for await (const page of fetchHistory(source, key.symbol, tf, gap.from, gap.to)) {
      pages++;
      const report = await lake.write(key, page.bars);
      partitionsWritten += report.written.length;
      coverage.add(page.from, page.to, tf.ms);
      coverage.save();
      for (const [flag, count] of Object.entries(countFlags(page.flags))) {
        flags[flag as BarFlag] = (flags[flag as BarFlag] ?? 0) + count;
      }
      bars += page.bars.length;
      done += (page.to - settled) / tf.ms + 1;
      settled = page.to + tf.ms;
      options.onProgress?.({ done, total, bars, at: page.to });
    }
    // The rest of the gap had no bars (yet): settled for this run, asked again by the next.
    done += Math.max(0, (gap.to - settled) / tf.ms + 1);
    options.onProgress?.({ done, total, bars, at: gap.to });
  }
  return { from, to, alreadyCovered: total - pending, pages, bars, partitionsWritten, flags };
}
