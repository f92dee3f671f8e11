/** The path component of a symbol (CONTRACTS.md: "/" becomes "_"). */
export function symbolPath(symbol: string): string {
  return symbol.replaceAll('/', '_').replaceAll(':', '-');
}
