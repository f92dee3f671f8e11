import type { Timeframe } from '../time/index.js';
import type { MarketFees, MarketRules } from './rules.js';
import type { ValidatedBars } from './validate.js';

/** Where hosts get market data: the ccxt adapter in production, the same against the simulator in tests. */
export interface MarketDataSource {
  readonly exchangeId: string;
  /** The most bars one request returns. */
  readonly maxBarsPerRequest: number;
  /**
   * Bars closing at or after `sinceClose` (or the most recent ones), oldest first, validated at the
   * edge. The newest may still be in progress: closure is decided by the host (drop the newest).
   */
  fetchBars(symbol: string, tf: Timeframe, sinceClose?: number, limit?: number): Promise<ValidatedBars>;
  /** The exchange's clock in ms, or null when it offers none. */
  fetchServerTime(): Promise<number | null>;
  /** The market's order rules and fees as the venue states them, with its time they were read (absent: none offered). */
  marketRules?(symbol: string): Promise<VenueStatement>;
  close(): Promise<void>;
}

/** What a venue states of a market: its order rules, its fees (null when it gives none), and when (its time). */
export interface VenueStatement {
  readonly rules: MarketRules;
  readonly fees: MarketFees | null;
  readonly readAt: number | null;
}
