import type { VenueTime } from '../health/index.js';
import type { DecisionRow } from '../journal/index.js';

/** How far a stream has got, read at any moment (a scrape): the loop's own figures, not the files'. */
export interface StreamProbe {
  /** Close time of the last slot decided (-Infinity before the first). */
  lastDecided(): number;
  /** The exchange's time as the loop estimates it (a simulator's runs fast). */
  exchangeNow(): number;
  /** The venue's clock as health judges by it: the loop's estimate once it has read the venue's time. */
  venueTime(): VenueTime;
}

/**
 * What the paper loop reports as it goes, for metrics (`LoopMetrics`) or a test. Called synchronously
 * right after the event: a reader between two calls sees the journal and the figures agree.
 */
export interface LoopObserver {
  /** A stream's loop is open (its state restored). */
  streamOpened(stream: string, probe: StreamProbe): void;
  /**
   * Rows durably appended to the journal; `latencyMs` from the fetch that brought their bars to the
   * append (null for rows without a fetched bar: `fetch_failed`).
   */
  recorded(stream: string, rows: readonly DecisionRow[], latencyMs: number | null): void;
  /** A fetch failed (after the client's retries), by error code. */
  fetchFailed(stream: string, code: string): void;
  /** Fetched bars could not be stored (their slots become `persist_failed`). */
  persistFailed(stream: string): void;
}
