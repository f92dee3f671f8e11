export { type BackfillProgress, type BackfillReport, backfill } from './backfill.js';
export {
  CcxtMarketData,
  type CcxtOptions,
  ccxtExchanges,
  createCcxtExchange,
  type MarketDataSource,
} from './ccxt-source.js';
export { type ClockDrift, measureClockDrift } from './clock.js';
export { redact, translateExchangeError } from './errors.js';
export { marketDataFor } from './from-config.js';
export { closedBars, fetchHistory, type HistoryPage } from './history.js';
export { MemoryMarketData } from './memory-source.js';
export { backoffDelay, DEFAULT_RETRY, type RetryEnvironment, type RetryPolicy, withRetry } from './retry.js';
