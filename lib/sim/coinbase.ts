/**
 * Coinbase Advanced Trade's public market endpoints, as ccxt's `coinbase` class calls them without
 * keys (ccxt 4.5: fetchTime -> GET /v2/time, loadMarkets -> GET /api/v3/brokerage/market/products,
 * with product_type=FUTURE twice more, fetchOHLCV -> GET .../products/{id}/candles with start, end in
 * seconds and a granularity name). Shapes from ccxt's parsers and Coinbase's API reference: numbers
 * as strings, candles newest first with the one still forming, at most 350 a request.
 */
import type { SimKline } from './market.js';

/** Exchange id of a unified symbol on Coinbase: BTC/USD -> BTC-USD. */
export function coinbaseId(symbol: string): string {
  return symbol.replace('/', '-');
}

/** The candles one request may ask for; more is an INVALID_ARGUMENT (ccxt asks for 300). */
export const COINBASE_MAX_CANDLES = 350;

/** Coinbase's granularity names, by our timeframe label (the ones Coinbase serves). */
export const COINBASE_GRANULARITY: Readonly<Record<string, string>> = {
  ONE_MINUTE: '1m',
  FIVE_MINUTE: '5m',
  FIFTEEN_MINUTE: '15m',
  THIRTY_MINUTE: '30m',
  ONE_HOUR: '1h',
  TWO_HOUR: '2h',
  SIX_HOUR: '6h',
  ONE_DAY: '1d',
};

const decimal = (value: number) =>
  Number.isFinite(value) ? String(Number(value.toFixed(8))) : String(value);

/** A candle as GET .../candles returns it: start in seconds, prices and volume as strings. */
export function candleRow(kline: SimKline): Record<string, string> {
  return {
    start: String(Math.floor(kline.openTime / 1000)),
    low: decimal(kline.low),
    high: decimal(kline.high),
    open: decimal(kline.open),
    close: decimal(kline.close),
    volume: decimal(kline.volume),
  };
}

/**
 * One spot product of GET /api/v3/brokerage/market/products: what ccxt's fetchMarketsV3 reads
 * (ids, increments, minimums, status), with BTC-USD's real rules: base_increment 0.00000001,
 * quote_increment 0.01, quote_min_size (min market funds) 1.
 */
export function productInfo(symbol: string, lastPrice: number): Record<string, unknown> {
  const [base, quote] = symbol.split('/') as [string, string];
  const id = coinbaseId(symbol);
  return {
    product_id: id,
    price: decimal(lastPrice),
    price_percentage_change_24h: '0',
    volume_24h: '0',
    volume_percentage_change_24h: '0',
    base_increment: '0.00000001',
    quote_increment: '0.01',
    quote_min_size: '1',
    quote_max_size: '150000000',
    base_min_size: '0.00000001',
    base_max_size: '3400',
    base_name: base,
    quote_name: quote,
    watched: false,
    is_disabled: false,
    new: false,
    status: 'online',
    cancel_only: false,
    limit_only: false,
    post_only: false,
    trading_disabled: false,
    auction_mode: false,
    product_type: 'SPOT',
    quote_currency_id: quote,
    base_currency_id: base,
    fcm_trading_session_details: null,
    mid_market_price: '',
    alias: '',
    alias_to: [],
    base_display_symbol: base,
    quote_display_symbol: quote,
    view_only: false,
    price_increment: '0.01',
    display_name: id,
    product_venue: 'CBE',
  };
}

/** GET /v2/time (ccxt's default fetchTime: whole seconds) and GET /api/v3/brokerage/time. */
export function coinbaseTime(now: number, v3: boolean): Record<string, unknown> {
  const iso = `${new Date(now).toISOString().slice(0, 19)}Z`;
  return v3
    ? { iso, epochSeconds: String(Math.floor(now / 1000)), epochMillis: String(now) }
    : { data: { iso, epoch: Math.floor(now / 1000) } };
}

/** Advanced Trade's error body (ccxt maps `error` through its exact exceptions). */
export function coinbaseError(error: string, message: string): string {
  return JSON.stringify({ error, error_details: message, message });
}

const NAMES: Readonly<Record<string, string>> = {
  BTC: 'Bitcoin',
  ETH: 'Ethereum',
  SOL: 'Solana',
  USD: 'US Dollar',
  EUR: 'Euro',
  GBP: 'British Pound',
  USDC: 'USDC',
};
const FIAT = new Set(['USD', 'EUR', 'GBP']);

/**
 * The currencies ccxt's loadMarkets reads first (GET /v2/currencies, /v2/currencies/crypto,
 * /v2/exchange-rates), for the simulated markets' bases and quotes.
 */
export function coinbaseCurrencies(symbols: readonly string[], path: string): Record<string, unknown> {
  const codes = [...new Set(symbols.flatMap((symbol) => symbol.split('/')))].sort();
  const name = (code: string) => NAMES[code] ?? code;
  if (path === '/v2/currencies')
    return { data: codes.filter((c) => FIAT.has(c)).map((id) => ({ id, name: name(id), min_size: '0.01' })) };
  if (path === '/v2/currencies/crypto')
    return {
      data: codes
        .filter((c) => !FIAT.has(c))
        .map((code, i) => ({
          asset_id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
          code,
          name: name(code),
          color: '#000000',
          sort_index: i,
          exponent: 8,
          type: 'crypto',
        })),
    };
  return { data: { currency: 'USD', rates: Object.fromEntries(codes.map((code) => [code, '1'])) } };
}
