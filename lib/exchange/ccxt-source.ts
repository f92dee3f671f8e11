import ccxt, { type Exchange } from 'ccxt';
import { MjolnirError } from '../core/index.js';
import {
  decimalText,
  type FlaggedRow,
  type MarketDataSource,
  type MarketRules,
  type RawBarRow,
  type ValidatedBars,
  type VenueStatement,
  validateRows,
} from '../market/index.js';
import type { Timeframe } from '../time/index.js';
import { translateExchangeError } from './errors.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry.js';

/** How to reach an exchange through ccxt. */
export interface CcxtOptions {
  readonly exchange: string;
  /** Base URL of the simulated exchange: every API URL of the ccxt class is pointed there, nothing else changes. */
  readonly simulatorUrl?: string;
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (error: MjolnirError, retry: number, delayMs: number) => void;
  /** Every symbol traded is spot (no `:SETTLE`): load spot markets only. */
  readonly spotOnly?: boolean;
  /** API credentials, only ever from the environment (`<EXCHANGE>_API_KEY`, `<EXCHANGE>_API_SECRET`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

// Exchanges whose klines payload is a bare JSON array: anything else is a malformed response.
const ARRAY_KLINES = new Set(['binance', 'binanceus', 'binancecoinm', 'binanceusdm']);

function pointAt(urls: unknown, base: string): unknown {
  if (typeof urls === 'string') {
    if (!/^https?:\/\//.test(urls)) return urls;
    const url = new URL(urls);
    return `${base.replace(/\/$/, '')}${url.pathname.replace(/\/$/, '')}${url.search}`;
  }
  if (typeof urls === 'object' && urls !== null) {
    return Object.fromEntries(Object.entries(urls).map(([k, v]) => [k, pointAt(v, base)]));
  }
  return urls;
}

/** Every exchange id ccxt knows. */
export function ccxtExchanges(): readonly string[] {
  return ccxt.exchanges;
}

/**
 * API keys, only ever from the environment (`<EXCHANGE>_API_KEY`, `<EXCHANGE>_API_SECRET`), and never
 * for the simulator: keys must not travel to it, and with keys ccxt calls private endpoints it lacks.
 */
function credentials(options: CcxtOptions): { apiKey?: string; secret?: string } {
  if (options.simulatorUrl !== undefined) return {};
  const env = options.env ?? {};
  const prefix = options.exchange.toUpperCase();
  const apiKey = env[`${prefix}_API_KEY`];
  return apiKey
    ? { apiKey, ...(env[`${prefix}_API_SECRET`] ? { secret: env[`${prefix}_API_SECRET`]! } : {}) }
    : {};
}

/**
 * Loads spot markets only, where the class says which types it loads. Binance's, Bybit's and OKX's
 * classes otherwise load their futures (and option) markets too: several requests that must all
 * succeed before the first candle can be asked for, so on a flaky connection market loading almost
 * never succeeds, for markets a spot stream never uses.
 */
function restrictToSpot(exchange: Exchange): void {
  const fetchMarkets = exchange.options['fetchMarkets'] as { types?: unknown } | undefined;
  if (Array.isArray(fetchMarkets?.types) && fetchMarkets.types.includes('spot'))
    fetchMarkets.types = ['spot'];
}

/** A ccxt exchange instance: rate limiter on, and its API URLs pointed at the simulator when given. */
export function createCcxtExchange(options: CcxtOptions): Exchange {
  const constructors = ccxt as unknown as Record<string, new (config: object) => Exchange>;
  const Constructor = ccxt.exchanges.includes(options.exchange) ? constructors[options.exchange] : undefined;
  if (Constructor === undefined) {
    throw new MjolnirError('config_invalid', `ccxt has no exchange "${options.exchange}"`);
  }
  const exchange = new Constructor({
    enableRateLimit: true,
    timeout: options.timeoutMs ?? 10_000,
    ...credentials(options),
  });
  if (options.spotOnly === true) restrictToSpot(exchange);
  if (options.simulatorUrl !== undefined) {
    exchange.urls['api'] = pointAt(exchange.urls['api'], options.simulatorUrl) as typeof exchange.urls.api;
  }
  exchange.enableLastJsonResponse = true;
  return exchange;
}

function toRows(candles: unknown, tf: Timeframe, context: string): RawBarRow[] {
  if (!Array.isArray(candles)) throw new MjolnirError('bad_response', `${context}: OHLCV is not a list`);
  return candles.map((candle: unknown, at) => {
    if (
      !Array.isArray(candle) ||
      candle.length < 6 ||
      typeof candle[0] !== 'number' ||
      !Number.isSafeInteger(candle[0])
    ) {
      // ccxt turns an unparsable body into rows of nonsense: the whole response is untrustworthy.
      throw new MjolnirError(
        'bad_response',
        `${context}: candle ${at} is malformed: ${JSON.stringify(candle).slice(0, 80)}`,
      );
    }
    const value = (i: number) => (typeof candle[i] === 'number' ? (candle[i] as number) : Number.NaN);
    return {
      at,
      ts: candle[0] + tf.ms,
      open: value(1),
      high: value(2),
      low: value(3),
      close: value(4),
      volume: value(5),
    };
  });
}

/** Order problems in the payload as sent (ccxt sorts candles before we see them). */
function rawOrderFlags(raw: unknown, tf: Timeframe): FlaggedRow[] {
  if (!Array.isArray(raw)) return [];
  const flags: FlaggedRow[] = [];
  for (let i = 1; i < raw.length; i++) {
    const previous = Number((raw[i - 1] as unknown[])?.[0]);
    const current = Number((raw[i] as unknown[])?.[0]);
    if (current < previous)
      flags.push({ at: i, ts: current + tf.ms, flag: 'out_of_order', detail: 'as sent by the exchange' });
  }
  return flags;
}

/**
 * Venues whose ccxt fetchTime drops the milliseconds (Coinbase's answers whole seconds: a clock check
 * would see up to a second of drift that is not there), read from the endpoint that has them.
 */
const MILLISECOND_TIME: Readonly<Record<string, (exchange: Exchange) => Promise<number>>> = {
  coinbase: async (exchange) => {
    const call = (
      exchange as unknown as { v3PublicGetBrokerageTime: () => Promise<{ epochMillis?: string }> }
    ).v3PublicGetBrokerageTime;
    return Number((await call.call(exchange)).epochMillis);
  },
};

/** A ccxt market's precision and limits as MarketRules (ccxt's TICK_SIZE mode: steps as numbers). */
export function rulesOfMarket(
  market: {
    precision: { amount?: number | undefined; price?: number | undefined };
    limits: { amount?: { min?: number | undefined }; cost?: { min?: number | undefined } };
  },
  what: string,
): MarketRules {
  const { amount, price } = market.precision;
  if (amount === undefined || price === undefined || !(amount > 0) || !(price > 0))
    throw new MjolnirError('bad_response', `${what}: the venue states no amount step or price tick`);
  const min = (value: number | undefined) =>
    value === undefined || !(value > 0) ? null : decimalText(value);
  return {
    amountStep: decimalText(amount),
    minAmount: min(market.limits.amount?.min),
    priceTick: decimalText(price),
    minNotional: min(market.limits.cost?.min),
  };
}

/** Venues whose ccxt fetchOHLCV, given no `since`, asks for a window of this machine's time. */
const SINCE_FROM_LOCAL_CLOCK = new Set(['coinbase']);

/** Market data through ccxt, for any ccxt exchange id. */
export class CcxtMarketData implements MarketDataSource {
  readonly exchangeId: string;
  readonly maxBarsPerRequest: number;
  private readonly exchange: Exchange;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: CcxtOptions) {
    this.exchangeId = options.exchange;
    this.exchange = createCcxtExchange(options);
    const features = this.exchange.features as { spot?: { fetchOHLCV?: { limit?: number } } } | undefined;
    this.maxBarsPerRequest = features?.spot?.fetchOHLCV?.limit ?? 500;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  private call<T>(context: string, operation: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await operation();
        } catch (error) {
          throw translateExchangeError(error, context);
        }
      },
      this.retry,
      { sleep: this.sleep, ...(this.options.onRetry ? { onRetry: this.options.onRetry } : {}) },
    );
  }

  /**
   * Loads markets when they are not loaded. ccxt keeps a failed loadMarkets promise and hands it back
   * to every later call unless told to reload, so one transient error at start-up would poison the
   * instance for good: hence `reload`, inside the retried operation.
   */
  private async ensureMarkets(): Promise<void> {
    if (this.exchange.markets === undefined || this.exchange.markets === null)
      await this.exchange.loadMarkets(true);
  }

  fetchBars(symbol: string, tf: Timeframe, sinceClose?: number, limit?: number): Promise<ValidatedBars> {
    const context = `${this.exchangeId} ${symbol} ${tf.label} OHLCV`;
    const since = sinceClose === undefined ? undefined : sinceClose - tf.ms;
    const pageLimit = Math.min(limit ?? this.maxBarsPerRequest, this.maxBarsPerRequest);
    return this.call(context, async () => {
      await this.ensureMarkets();
      const from = since ?? (await this.latestWindowStart(tf, pageLimit));
      const candles = await this.exchange.fetchOHLCV(symbol, tf.label, from, pageLimit);
      const raw = this.exchange.last_json_response as unknown;
      if (ARRAY_KLINES.has(this.exchangeId) && !Array.isArray(raw)) {
        throw new MjolnirError('bad_response', `${context}: the exchange did not send a list of klines`);
      }
      const validated = validateRows(toRows(candles, tf, context), tf);
      const orderFlags = ARRAY_KLINES.has(this.exchangeId) ? rawOrderFlags(raw, tf) : [];
      return { bars: validated.bars, flags: [...orderFlags, ...validated.flags] };
    });
  }

  /**
   * Where the latest `limit` bars start, by the venue's clock, for venues whose ccxt class fills a
   * missing `since` from this machine's clock (Coinbase: a window of the machine's time, empty when the
   * clocks differ, as against the simulator's virtual one); undefined lets the venue answer its latest.
   */
  private async latestWindowStart(tf: Timeframe, limit: number): Promise<number | undefined> {
    if (!SINCE_FROM_LOCAL_CLOCK.has(this.exchangeId)) return undefined;
    const now = await this.fetchServerTime();
    return now === null ? undefined : (Math.floor(now / tf.ms) - (limit - 1)) * tf.ms;
  }

  /**
   * The market's order rules and fees as the venue states them (ccxt's loadMarkets: precision, limits,
   * maker and taker), with the venue's time they were read at: what a run snapshots so a backtest
   * applies the same.
   */
  async marketRules(symbol: string): Promise<VenueStatement> {
    const market = await this.call(`${this.exchangeId} ${symbol} market rules`, async () => {
      await this.ensureMarkets();
      return this.exchange.market(symbol);
    });
    const { maker, taker } = market;
    return {
      rules: rulesOfMarket(market, `${this.exchangeId} ${symbol}`),
      fees: typeof maker === 'number' && typeof taker === 'number' ? { maker, taker } : null,
      readAt: await this.fetchServerTime(),
    };
  }

  async fetchServerTime(): Promise<number | null> {
    if (!this.exchange.has['fetchTime']) return null;
    const precise = MILLISECOND_TIME[this.exchangeId];
    const time = await this.call(`${this.exchangeId} server time`, () =>
      precise === undefined ? this.exchange.fetchTime() : precise(this.exchange),
    );
    return typeof time === 'number' && Number.isFinite(time) ? time : null;
  }

  async close(): Promise<void> {
    await this.exchange.close();
  }
}
