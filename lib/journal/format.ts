/**
 * A number as journals write it: exactly `String(x)`, NaN as the empty cell. (putNumber writes the same
 * characters as bytes, for the hot formatting paths.)
 */
export function formatNumber(x: number): string {
  return Number.isNaN(x) ? '' : String(x);
}

/** The `features` cell: a strategy's named values as `name=value;...`. */
export function featuresCell(values: Readonly<Record<string, number>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${formatNumber(value)}`)
    .join(';');
}
