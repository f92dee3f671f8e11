import type { SimKline } from './market.js';

/** Exchange id of a unified symbol on Binance: BTC/USDT -> BTCUSDT. */
export function binanceId(symbol: string): string {
  return symbol.replace('/', '');
}

const price = (value: number) => (Number.isFinite(value) ? value.toFixed(8) : String(value));

/** A kline row as Binance's GET /api/v3/klines returns it (numbers as strings, as Binance does). */
export function klineRow(kline: SimKline, intervalMs: number): unknown[] {
  const quoteVolume = kline.volume * ((kline.open + kline.close) / 2);
  return [
    kline.openTime,
    price(kline.open),
    price(kline.high),
    price(kline.low),
    price(kline.close),
    price(kline.volume),
    kline.openTime + intervalMs - 1,
    price(quoteVolume),
    kline.trades,
    price(kline.volume * 0.5),
    price(quoteVolume * 0.5),
    '0',
  ];
}

/** One spot symbol of GET /api/v3/exchangeInfo, with the fields ccxt's binance class reads. */
export function symbolInfo(symbol: string): Record<string, unknown> {
  const [base, quote] = symbol.split('/') as [string, string];
  return {
    symbol: binanceId(symbol),
    status: 'TRADING',
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: '0.01000000',
        maxPrice: '1000000.00000000',
        tickSize: '0.01000000',
      },
      { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
      {
        filterType: 'NOTIONAL',
        minNotional: '5.00000000',
        applyMinToMarket: true,
        maxNotional: '9000000.00000000',
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

/** GET /api/v3/exchangeInfo (or the futures variants, with no symbols). */
export function exchangeInfo(serverTime: number, symbols: readonly string[]): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols: symbols.map(symbolInfo),
  };
}

/** Binance's error body. */
export function binanceError(code: number, msg: string): string {
  return JSON.stringify({ code, msg });
}
