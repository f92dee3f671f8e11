/**
 * How numbers read, wherever they are shown (the CLI, notebook tables, chart labels): one owner, so a
 * return reads the same in a terminal and in a notebook.
 */

/** A fraction as a percentage with fixed decimals (0.01234 -> "1.23%"); n/a when not finite. */
export function percent(fraction: number, decimals = 2): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(decimals)}%` : 'n/a';
}

/** A number with thousands separators and fixed decimals; n/a, inf or -inf when not finite. */
export function fixed(value: number, decimals = 0): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A measured quantity (a price, a count, a feature) to 6 significant digits, no exponent below 1e15. */
export function significant(value: number): string {
  if (!Number.isFinite(value)) return fixed(value);
  if (Number.isInteger(value)) return String(value);
  return String(+value.toPrecision(6));
}

/** How each metric reads: fractions as percentages, ratios with 2 decimals. */
const METRICS: readonly { readonly pattern: RegExp; readonly format: (v: number) => string }[] = [
  { pattern: /sharpe|sortino|profit_?factor/i, format: (v) => fixed(v, 2) },
  { pattern: /return|drawdown_fraction|max_drawdown$|max_?dd/i, format: (v) => percent(v, 2) },
  { pattern: /exposure|win_?rate|accuracy|up_?share|base_?rate|share$/i, format: (v) => percent(v, 1) },
];

/**
 * A metric's value as it reads everywhere, found by its name (snake or camel case): total return
 * and drawdown as percentages with 2 decimals, exposure, win rate and accuracy with 1, Sharpe, Sortino
 * and profit factor with 2 decimals; any other number to 6 significant digits.
 */
export function formatMetric(name: string, value: number): string {
  for (const { pattern, format } of METRICS) if (pattern.test(name)) return format(value);
  return significant(value);
}
