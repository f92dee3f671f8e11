import { type Config, simulatorUrl } from '../config/index.js';
import type { MjolnirError } from '../core/index.js';
import { CcxtMarketData } from './ccxt-source.js';

/** The market data source a config describes: its exchange through ccxt, pointed at the simulator when it has one. */
export function marketDataFor(
  config: Config,
  options: {
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly onRetry?: (error: MjolnirError, retry: number, delayMs: number) => void;
  } = {},
): CcxtMarketData {
  const url = simulatorUrl(config);
  return new CcxtMarketData({
    exchange: config.exchange,
    ...(url === undefined ? {} : { simulatorUrl: url }),
    timeoutMs: config.fetch.timeout_ms,
    spotOnly: config.symbols.every((symbol) => !symbol.includes(':')),
    retry: { attempts: config.fetch.attempts, baseDelayMs: 500, maxDelayMs: 30_000 },
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
}
