/** The path component of a symbol (docs/contracts.md: "/" becomes "_"). */
export function symbolPath(symbol: string): string {
  return symbol.replaceAll('/', '_').replaceAll(':', '-');
}

/**
 * The symbol a path component names: the exact inverse of symbolPath for ccxt's symbol forms (spot
 * `BTC/USDT`, swaps `BTC/USDT:USDT`, dated futures and options `BTC/USDT:USDT-240628`,
 * `BTC/USD:BTC-240628-60000-C`): the first `_` was the `/`, the first `-` after it the `:`.
 */
export function symbolFromPath(component: string): string {
  const slash = component.indexOf('_');
  if (slash < 0) return component;
  const colon = component.indexOf('-', slash);
  const symbol = `${component.slice(0, slash)}/${component.slice(slash + 1)}`;
  return colon < 0 ? symbol : `${symbol.slice(0, colon)}:${symbol.slice(colon + 1)}`;
}

/** A symbol a person typed, as ccxt writes it (`BTC/USDT`) or as data paths do (`BTC_USDT`): trimmed, unified. */
export function symbolFromText(text: string): string {
  const trimmed = text.trim();
  return trimmed.includes('/') ? trimmed : symbolFromPath(trimmed);
}
