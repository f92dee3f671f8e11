/** Small text helpers for terminal output; numbers read as the library formats them everywhere. */
import { ANNUALISATION, fixed, MIN_RATIO_DAYS, percent } from '@mjolnir/lib';

/** A number with thousands separators and a fixed number of decimals. */
export const num = (value: number, decimals = 0): string => fixed(value, decimals);

/** A fraction as a percentage. */
export const pct = (fraction: number, decimals = 1): string => percent(fraction, decimals);

/** Rows of cells as left-aligned columns (the last column unpadded). */
export function columns(rows: readonly (readonly string[])[], gap = 2): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + gap))).join(''),
    )
    .join('\n');
}

/** The footnote under a table with starred ratio columns (two lines, each under 120 columns). */
export const ratioFootnote = (): string => `* ${ANNUALISATION}\n  n/a under ${MIN_RATIO_DAYS} days of bars\n`;
