export {
  CcxtMarketData,
  type CcxtOptions,
  ccxtExchanges,
  createCcxtExchange,
  rulesOfMarket,
} from './ccxt-source.js';
export { type ClockDrift, measureClockDrift } from './clock.js';
export { redact, translateExchangeError } from './errors.js';
export { marketDataFor } from './from-config.js';
export { backoffDelay, DEFAULT_RETRY, type RetryEnvironment, type RetryPolicy, withRetry } from './retry.js';
