import type { Bar } from '../market/bar.js';
import { type ValidatedBars, validateRows } from '../market/validate.js';
import type { Timeframe } from '../time/index.js';
import type { MarketDataSource } from './source.js';

/**
 * Market data served from memory: the bars released so far, the newest one standing in for the bar
 * in progress. For benchmarks that must leave the exchange out, and for replays without a server.
 */
export class MemoryMarketData implements MarketDataSource {
  readonly exchangeId: string;
  readonly maxBarsPerRequest: number;
  private released = 0;

  constructor(
    private readonly bars: readonly Bar[],
    options: { exchangeId?: string; maxBarsPerRequest?: number } = {},
  ) {
    this.exchangeId = options.exchangeId ?? 'memory';
    this.maxBarsPerRequest = options.maxBarsPerRequest ?? 1000;
  }

  /** Makes the next `count` bars available (the last of them is the one "in progress"). */
  release(count: number): void {
    this.released = Math.min(this.bars.length, this.released + count);
  }

  async fetchBars(
    _symbol: string,
    tf: Timeframe,
    sinceClose?: number,
    limit?: number,
  ): Promise<ValidatedBars> {
    const visible = this.bars.slice(0, this.released);
    const from =
      sinceClose === undefined
        ? visible.slice(-(limit ?? this.maxBarsPerRequest))
        : visible.filter((b) => b.ts >= sinceClose);
    const page = from.slice(0, Math.min(limit ?? this.maxBarsPerRequest, this.maxBarsPerRequest));
    return validateRows(
      page.map((bar, at) => ({ at, ...bar })),
      tf,
    );
  }

  async fetchServerTime(): Promise<number | null> {
    return this.bars[Math.max(0, this.released - 1)]?.ts ?? null;
  }

  async close(): Promise<void> {}
}
