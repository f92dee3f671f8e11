import type { TimeframeLabel } from '../time/index.js';

/** What identifies one series of bars: where it trades and at which timeframe. */
export interface MarketKey {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: TimeframeLabel;
}
